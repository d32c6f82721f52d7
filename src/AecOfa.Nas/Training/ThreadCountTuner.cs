namespace AecOfa.Nas.Training;

/// <summary>What a <see cref="ThreadCountTuner"/> measured and chose.</summary>
/// <param name="Threads">The thread count the following steps run with.</param>
/// <param name="MaxThreads">The thread count measured against one thread.</param>
/// <param name="SecondsAtMax">Median seconds per step at <paramref name="MaxThreads"/> threads.</param>
/// <param name="SecondsAtOne">Median seconds per step at one thread.</param>
public sealed record ThreadCountDecision(int Threads, int MaxThreads, double SecondsAtMax, double SecondsAtOne)
{
    /// <summary>Steps per second at <see cref="MaxThreads"/> over steps per second at one thread.</summary>
    public double SpeedupOverOneThread => SecondsAtOne / SecondsAtMax;

    /// <summary>True when the tuner went back to the count it had before this measurement: the measured choice then ran
    /// a whole epoch slower (<see cref="ThreadCountTuner.SwitchBackRatio"/>); <see cref="Threads"/> is that earlier count.</summary>
    public bool SwitchedBack { get; init; }
}

/// <summary>
/// Chooses the engine's thread count for training steps by timing them, so that a run is never slower than one
/// thread whatever the host delivers. How much a second thread gains depends on the host, not on the code: on some
/// 2-vCPU VMs the two vCPUs share one core's FMA units (a 512^3 GEMM scaled 1.2x there, 1.9x on another host), and on
/// the small maps of ultra-small sub-networks the hand-off to a worker can cost more than it saves. After
/// <see cref="WarmupSteps"/> steps, the next 2 x <see cref="ProbeStepsPerArm"/> steps alternate between all threads (for a
/// step of several sub-networks: one sub-network per thread, see <see cref="TrainerOptions.Threads"/>) and one thread
/// (interleaved, so both see the same host load); the faster arm by median wins, ties going to all threads.
/// <see cref="Reprobe"/> starts over. The trainer reports each epoch's end (<see cref="EpochCompleted"/>), and the tuner
/// measures again when the load has changed (an epoch's median step time moved by <see cref="DriftRatio"/> from the
/// first epoch after the decision) or when the decision is old: after <see cref="CloseDecisionEpochs"/> epochs when it
/// was close, <see cref="ClearDecisionEpochs"/> when one arm was at least <see cref="ClearMargin"/> times faster (a
/// measurement costs its one-thread steps: on a 2-vCPU host running sandwich lanes, about one step's time each). A
/// measurement of three steps per arm can be fooled by host noise when the arms are close: when a new measurement
/// switches the thread count and the first whole epoch at the new count runs slower than the last one at the old count
/// by <see cref="SwitchBackRatio"/>, the tuner goes back (one network's KD steps measured 1.6-1.9 s per epoch at two
/// threads, then 2.2-2.7 s for 15 epochs at the one thread a noisy measurement chose). Every kernel gives the same
/// bits at any thread count, so the choice never changes results, only time.
/// </summary>
public sealed class ThreadCountTuner
{
    /// <summary>Speedup, either way, from which a decision is clear.</summary>
    public const double ClearMargin = 1.3;

    /// <summary>Epochs a close decision is kept before it is measured again.</summary>
    public const int CloseDecisionEpochs = 5;

    /// <summary>Epochs a clear decision is kept before it is measured again (unless the load changes).</summary>
    public const int ClearDecisionEpochs = 20;

    /// <summary>Change of an epoch's median step time (either way) that means the load changed: measure again.</summary>
    public const double DriftRatio = 1.25;

    /// <summary>How much slower (median step, whole epoch) a switched thread count may run than the old one did.</summary>
    public const double SwitchBackRatio = 1.1;

    private readonly List<double> _atMax = [], _atOne = [], _epochSteps = [];
    private int _warmupLeft, _probeIndex, _epochsSinceDecision;
    private double? _baselineSeconds, _lastEpochSeconds;
    private (int Threads, double Seconds)? _switchedFrom; // the count and epoch median before a switch, until checked

    public ThreadCountTuner(int maxThreads, int probeStepsPerArm = 3, int warmupSteps = 2)
    {
        if (maxThreads < 2) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "a choice needs at least 2 threads");
        if (probeStepsPerArm < 1) throw new ArgumentOutOfRangeException(nameof(probeStepsPerArm), probeStepsPerArm, "must be >= 1");
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "must be >= 0");
        MaxThreads = maxThreads;
        ProbeStepsPerArm = probeStepsPerArm;
        WarmupSteps = warmupSteps;
        Reprobe();
    }

    public int MaxThreads { get; }
    public int ProbeStepsPerArm { get; }
    public int WarmupSteps { get; }

    /// <summary>The last decision; null while the first measurement runs.</summary>
    public ThreadCountDecision? Decision { get; private set; }

    /// <summary>Whether steps are being measured now.</summary>
    public bool Probing => _probeIndex < 2 * ProbeStepsPerArm;

    /// <summary>Measures again from the next step (keeping the last decision until the new one).</summary>
    public void Reprobe()
    {
        _warmupLeft = WarmupSteps;
        _probeIndex = 0;
        _atMax.Clear();
        _atOne.Clear();
    }

    /// <summary>Threads for the next step.</summary>
    public int ThreadsForNextStep()
    {
        if (!Probing) return Decision!.Threads;
        if (_warmupLeft > 0) return Decision?.Threads ?? MaxThreads;
        return _probeIndex % 2 == 0 ? MaxThreads : 1;
    }

    /// <summary>The seconds the step run at <see cref="ThreadsForNextStep"/> took; returns the new decision when this
    /// step completed a measurement, else null.</summary>
    public ThreadCountDecision? Record(double seconds)
    {
        if (!Probing)
        {
            _epochSteps.Add(seconds);
            return null;
        }
        if (_warmupLeft > 0) { _warmupLeft--; return null; }
        (_probeIndex % 2 == 0 ? _atMax : _atOne).Add(seconds);
        _probeIndex++;
        if (Probing) return null;
        double max = Median(_atMax), one = Median(_atOne);
        var decision = new ThreadCountDecision(one < max ? 1 : MaxThreads, MaxThreads, max, one);
        _switchedFrom = Decision is { } previous && previous.Threads != decision.Threads && _lastEpochSeconds is { } before
            ? (previous.Threads, before) : null;
        _epochsSinceDecision = 0;
        _baselineSeconds = null;
        _lastEpochSeconds = null;
        _epochSteps.Clear();
        return Decision = decision;
    }

    /// <summary>
    /// The trainer's report that an epoch ended. Returns the decision when the tuner went back to the thread count it
    /// had before its last measurement (the switch ran slower); else null. Afterwards <see cref="Probing"/> tells
    /// whether it measures again from the next step (the load changed, or the decision is old; see the class summary).
    /// </summary>
    public ThreadCountDecision? EpochCompleted()
    {
        if (Probing || Decision is not { } decision)
        {
            _epochSteps.Clear();
            return null;
        }
        _epochsSinceDecision++;
        bool due = false;
        if (_epochSteps.Count > 0)
        {
            double median = Median(_epochSteps);
            _epochSteps.Clear();
            if (_switchedFrom is { } from)
            {
                _switchedFrom = null;
                if (median > from.Seconds * SwitchBackRatio)
                {
                    _epochsSinceDecision = 0;
                    _baselineSeconds = null;
                    _lastEpochSeconds = from.Seconds;
                    return Decision = decision with { Threads = from.Threads, SwitchedBack = true };
                }
            }
            if (_baselineSeconds is not { } baseline) _baselineSeconds = median;
            else due = median > baseline * DriftRatio || median * DriftRatio < baseline;
            _lastEpochSeconds = median;
        }
        double speedup = decision.SpeedupOverOneThread;
        bool clear = speedup >= ClearMargin || speedup * ClearMargin <= 1;
        due |= _epochsSinceDecision >= (clear ? ClearDecisionEpochs : CloseDecisionEpochs);
        if (due) Reprobe();
        return null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
