using System.Runtime.ExceptionServices;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Networks;

namespace AecOfa.Nas.Training;

/// <summary>
/// Runs the tasks of one training step (forward, loss, backward each) and leaves their summed gradients in the
/// network's parameters. On the host, with more than one thread allowed, the tasks run concurrently, one per thread
/// ("lanes"), each single-threaded: at the demo's sizes a sub-network's step is some 300 ops of 10-200 µs, too small
/// to split well between threads, while the sandwich rule's four sub-networks are independent of each other until the
/// update. Every task writes its gradients and BN running updates into its own <see cref="DeferredWrites"/>, committed
/// in task order after all have finished, so the result has the same bits with one lane or several and whichever lane
/// ran which task (at one lane the same buffers and order are used). The cost: one private gradient buffer per
/// parameter per task (a 4-task sandwich holds 4 copies of the parameters' size), cleared and added once per step.
/// A student waits for the forward of the step's in-place teacher, or computes the frozen teacher's logits once. Every task runs even when one fails; the first failing task in plan order is
/// reported (as the sequential loop would), and nothing of a failed step is committed. A lane that runs out of tasks
/// computes the frozen teacher's logits for the next batch (<see cref="UpcomingTeacherLogits"/>) instead of waiting.
/// </summary>
internal sealed class StepTaskRunner(IArchNetwork network, FrozenTeacher? teacher, TrainerOptions options)
{
    private readonly List<DeferredWrites> _writes = [];   // task t writes into _writes[t]
    private readonly List<TensorArena> _laneArenas = [];  // lane k >= 1 allocates from _laneArenas[k - 1]
    private FlopsCounter? _flops;
    private UpcomingTeacherLogits? _upcoming;             // the frozen teacher on the next batch, done in idle lane time

    /// <summary>
    /// The batch the next step will train on (the trainer's prefetched batch, waited for; null when there is none).
    /// Lanes that run out of tasks spend what would be a wait for the other lanes on the frozen teacher's logits for it.
    /// </summary>
    public Func<Tensor?>? UpcomingFeatures { get; set; }

    /// <summary>Runs <paramref name="plan"/> on one batch; returns each task's loss in plan order.</summary>
    public IReadOnlyList<(string Role, float Loss)> Run(IReadOnlyList<SubnetTask> plan, Tensor features, Tensor targets, long stepIndex, string guardPrefix, ITrainingStrategy strategy)
    {
        var device = network.Module.Device;
        for (int t = 0; t < plan.Count; t++)
        {
            var task = plan[t];
            if (!network.Contains(task.Config))
                throw new InvalidOperationException($"Strategy {strategy.Describe()}: task '{task.Role}' asks for {task.Config}, which {network.Describe()} cannot run.");
            if (task.Target != SubnetTarget.Labels && teacher is null && LastTeacherBefore(plan, t) < 0)
                throw new InvalidOperationException($"Strategy '{strategy.Name}': task '{task.Role}' learns from the teacher, but no earlier task of the step is a teacher and the trainer has no frozen teacher.");
        }
        bool host = device.IsCpu;
        int lanes = host ? Math.Min(WorkerPool.MaxThreads, plan.Count) : 1;
        if (host)
        {
            while (_writes.Count < plan.Count) _writes.Add(new DeferredWrites());
            while (_laneArenas.Count < lanes - 1) _laneArenas.Add(new TensorArena());
        }
        var step = new StepState(plan, features, targets, stepIndex, guardPrefix, device, concurrent: lanes > 1) { Order = TakeOrder(plan, lanes) };
        // Another trainer of the process holding the lane threads: this step's tasks run on the calling thread alone.
        try
        {
            if (lanes < 2 || !LaneThreads.TryRun(lanes, lane => RunLane(step, lane))) RunLane(step, 0);
            for (int t = 0; t < plan.Count; t++)
                if (step.Errors[t] is { } error) ExceptionDispatchInfo.Capture(error).Throw();
        }
        catch
        {
            for (int w = 0; w < plan.Count && host; w++) _writes[w].Discard(); // nothing of a failed step is kept
            throw;
        }
        finally
        {
            step.Dispose();
        }
        if (host) DeferredWrites.CommitInOrder(plan.Count == _writes.Count ? _writes : _writes.GetRange(0, plan.Count));
        var losses = new (string, float)[plan.Count];
        for (int t = 0; t < plan.Count; t++) losses[t] = (plan[t].Role, step.Losses[t]);
        return losses;
    }

    // Lane 0 is the caller and always starts with task 0 (the largest of a sandwich step); then every lane takes the
    // next task in the step's order until none is left.
    private void RunLane(StepState step, int lane)
    {
        using var arenaScope = lane == 0 ? default : _laneArenas[lane - 1].Begin();
        var objective = new TrainingObjective(options, network.Space.Classes, step.Targets, step.Device);
        if (lane == 0) RunTask(step, 0, objective);
        // After a failure the other tasks still run (into their own deferred writes, then discarded): which failure is
        // reported must not depend on timing.
        while (true)
        {
            int k = Interlocked.Increment(ref step.Next);
            if (k >= step.Order.Length) break;
            RunTask(step, step.Order[k], objective);
        }
        HelpWithUpcomingTeacher(step);
    }

    /// <summary>
    /// A lane with no task left would wait for the others: it computes chunks of the frozen teacher's logits for the next
    /// batch instead (only in a concurrent step that used the frozen teacher, and once the next batch is ready). That
    /// work then leaves the next step, whose lanes start on their sub-networks at once. Timing only: same bits.
    /// </summary>
    private void HelpWithUpcomingTeacher(StepState step)
    {
        if (!step.Concurrent || teacher is null || UpcomingFeatures is not { } upcomingFeatures || !UsesFrozenTeacher(step.Plan)) return;
        // Waited for outside the lock: a lane just starting its last task may still need the lock for this step's teacher.
        if (upcomingFeatures() is not { IsOnCpu: true } next || ReferenceEquals(next, step.Features)) return;
        UpcomingTeacherLogits upcoming;
        lock (step.FrozenLock)
        {
            if (_upcoming is null || !ReferenceEquals(_upcoming.Features, next)) _upcoming = new UpcomingTeacherLogits(teacher, next, network.Space.Classes);
            upcoming = _upcoming;
        }
        while (upcoming.TryRunChunk())
        {
        }
    }

    /// <summary>
    /// The order in which lanes take the tasks: task 0 first (lane 0), then, when several lanes share the rest and no
    /// later task is an in-place teacher that others wait for, the most expensive first (MACs), so that the lanes
    /// finish close together (the largest sub-network alone costs about as much as the three others of a sandwich
    /// step). The order decides only timing, never the bits.
    /// </summary>
    private int[] TakeOrder(IReadOnlyList<SubnetTask> plan, int lanes)
    {
        var order = Enumerable.Range(0, plan.Count).ToArray();
        if (lanes < 2 || plan.Skip(1).Any(task => task.IsTeacher)) return order;
        _flops ??= new FlopsCounter(network.Space);
        var macs = plan.Select(task => _flops.Macs(task.Config)).ToArray();
        Array.Sort(order, 1, order.Length - 1, Comparer<int>.Create((a, b) => macs[a] != macs[b] ? macs[b].CompareTo(macs[a]) : a.CompareTo(b)));
        return order;
    }

    private void RunTask(StepState step, int t, TrainingObjective objective)
    {
        var task = step.Plan[t];
        try
        {
            Tensor? teacherLogits = null;
            if (task.Target != SubnetTarget.Labels)
            {
                int source = LastTeacherBefore(step.Plan, t);
                teacherLogits = source >= 0 ? step.WaitForTeacher(source) : FrozenTeacherLogits(step);
                if (teacherLogits is null) return; // its teacher failed: that earlier failure is the one reported
            }
            var writes = step.Device.IsCpu ? _writes[t] : null;
            using var writesScope = writes is null ? default : writes.Activate();
            var dropout = task.UseDropout ? StreamSeeds.Create(options.Seed, StreamSeeds.Dropout, step.Index * 64 + t) : null;
            var logits = network.Forward(step.Features, task.Config, dropout);
            var loss = task.Target switch
            {
                SubnetTarget.Labels => objective.LabelLoss(logits),
                SubnetTarget.Teacher => objective.DistillLoss(logits, teacherLogits!),
                _ => TensorOps.WeightedLossSum((objective.LabelLoss(logits), 1f), (objective.DistillLoss(logits, teacherLogits!), task.DistillWeight)),
            };
            step.Losses[t] = LossGuard.EnsureFinite(loss, step.GuardPrefix + task.Role, step.Index);
            if (task.IsTeacher) step.PublishTeacher(t, logits.Detach()); // a host copy outside any arena: other lanes read it
            loss.Backward();
        }
        catch (Exception e)
        {
            step.Errors[t] = e;
        }
        finally
        {
            // Never leave a student waiting: a teacher that failed, or whose own teacher failed, publishes nothing.
            if (task.IsTeacher) step.PublishTeacher(t, null);
        }
    }

    private Tensor? FrozenTeacherLogits(StepState step)
    {
        lock (step.FrozenLock)
        {
            if (step.FrozenTeacher is null && _upcoming is { } upcoming && ReferenceEquals(upcoming.Features, step.Features))
            {
                step.FrozenTeacher = upcoming.Result; // null when a chunk failed: computed below, where a real error recurs
                _upcoming = null;
            }
            if (step.FrozenTeacher is null)
            {
                var logits = teacher!.Logits(step.Features);
                // Concurrent lanes: a copy outside the computing lane's arena, which ends before the step does.
                step.FrozenTeacher = step.Concurrent ? logits.Detach() : logits;
            }
            return step.FrozenTeacher;
        }
    }

    /// <summary>Whether some task of <paramref name="plan"/> learns from the frozen teacher (no in-place teacher before it).</summary>
    private static bool UsesFrozenTeacher(IReadOnlyList<SubnetTask> plan)
    {
        for (int t = 0; t < plan.Count; t++)
            if (plan[t].Target != SubnetTarget.Labels && LastTeacherBefore(plan, t) < 0) return true;
        return false;
    }

    private static int LastTeacherBefore(IReadOnlyList<SubnetTask> plan, int t)
    {
        for (int s = t - 1; s >= 0; s--)
            if (plan[s].IsTeacher) return s;
        return -1;
    }

    private sealed class StepState(IReadOnlyList<SubnetTask> plan, Tensor features, Tensor targets, long index, string guardPrefix, ComputeDevice device, bool concurrent) : IDisposable
    {
        public readonly IReadOnlyList<SubnetTask> Plan = plan;
        public readonly Tensor Features = features, Targets = targets;
        public readonly long Index = index;
        public readonly string GuardPrefix = guardPrefix;
        public readonly ComputeDevice Device = device;
        public readonly bool Concurrent = concurrent;
        public readonly float[] Losses = new float[plan.Count];
        public readonly Exception?[] Errors = new Exception?[plan.Count];
        public readonly object FrozenLock = new();
        public Tensor? FrozenTeacher;
        public required int[] Order;
        public int Next;

        private readonly Tensor?[] _teachers = new Tensor?[plan.Count];
        private readonly ManualResetEventSlim?[] _published = plan.Select(p => p.IsTeacher ? new ManualResetEventSlim(false) : null).ToArray();

        public void PublishTeacher(int t, Tensor? logits)
        {
            var signal = _published[t]!;
            if (signal.IsSet) return;
            _teachers[t] = logits;
            signal.Set();
        }

        public void Dispose()
        {
            foreach (var signal in _published) signal?.Dispose();
        }

        /// <summary>The detached logits of task <paramref name="t"/> once its forward has run; null if it failed.</summary>
        public Tensor? WaitForTeacher(int t)
        {
            _published[t]!.Wait();
            return _teachers[t];
        }
    }
}
