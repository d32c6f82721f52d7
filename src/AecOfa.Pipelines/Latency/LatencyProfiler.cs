using System.Globalization;
using System.Runtime.InteropServices;
using AecOfa.Audio.Features;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Inference;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Pipelines.Latency;

/// <summary>Options of <see cref="LatencyProfiler"/>.</summary>
public sealed record LatencyProfilerOptions
{
    public int Warmup { get; init; } = 3;
    public int Repeats { get; init; } = 15;
    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 8];

    /// <summary>Forward passes of the largest sub-network at every resolution and batch size before anything is timed,
    /// so that .NET's tiered JIT has promoted the kernels to optimized code (otherwise the first parts measured run
    /// tier-0 code and are overestimated, 2x and more).</summary>
    public int ProcessWarmupRuns { get; init; } = 40;

    /// <summary>The front end whose per-clip cost is measured (default: the default log-mel at the space's mel bins
    /// over a clip that gives the space's frame count).</summary>
    public LogMelOptions? LogMel { get; init; }
    public double? ClipSeconds { get; init; }
    public ILatencyClock Clock { get; init; } = StopwatchClock.Instance;

    /// <summary>What is measured: the compiled plan (default: what predict and eval run) or the autograd eval path.</summary>
    public LatencyPath Path { get; init; } = LatencyPath.Plan;
}

/// <summary>One sub-network of <see cref="LatencyProfiler.Check"/>: predicted vs measured network latency (batch 1).</summary>
public sealed record LatencyCheckRow(ArchConfig Config, long Macs, double PredictedMs, double MeasuredMs, double PredictedMinMs = 0, double MeasuredMinMs = 0)
{
    /// <summary>(predicted − measured) / measured, medians.</summary>
    public double RelativeError => (PredictedMs - MeasuredMs) / MeasuredMs;

    /// <summary>The same with minima (sum of the parts' fastest runs vs the network's fastest run).</summary>
    public double RelativeErrorOfMinima => (PredictedMinMs - MeasuredMinMs) / MeasuredMinMs;
}

/// <summary>
/// Measures a <see cref="LatencyTable"/> on this machine with this library's engine, and checks its predictions
/// against whole networks. <see cref="LatencyPath.Plan"/> (default): the compiled <see cref="InferencePlan"/> that
/// predict and eval run; each part is timed inside whole networks (per resolution, one network per kernel and expand
/// ratio at the smallest depth of at least 2 holds every stage's first and later block of that variant), batch b = b
/// examples in turn.
/// <see cref="LatencyPath.Eval"/>: the autograd eval path (no grad, the engine's current thread count); every part
/// runs on its own on inputs of the exact shape it sees inside a network. Weights are random (latency does not
/// depend on them).
/// </summary>
public sealed class LatencyProfiler(ArchSpace space, LatencyProfilerOptions? options = null)
{
    private readonly ArchSpace _space = Validated(space);
    private readonly LatencyProfilerOptions _options = options ?? new LatencyProfilerOptions();

    private static ArchSpace Validated(ArchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        return space;
    }

    /// <summary>Number of parts <see cref="BuildTable"/> measures (per batch size).</summary>
    public int PartCount
    {
        get
        {
            int res = _space.Input.MelBinSet.Length * _space.Input.HopFactorSet.Length;
            int perBlock = _space.KernelChoices.Length * _space.ExpandChoices.Length;
            int blocks = _space.Stages.Select((_, s) => perBlock * (_space.MaxDepth > 1 ? 2 : 1)).Sum();
            return 1 + res * (3 + blocks);
        }
    }

    public LatencyTable BuildTable(IProgress<string>? progress = null)
    {
        var parts = new Dictionary<string, Dictionary<string, LatencyStats>>(StringComparer.Ordinal);
        void Add(string key, Func<int, Action> runAt)
        {
            var byBatch = new Dictionary<string, LatencyStats>(StringComparer.Ordinal);
            foreach (int b in _options.BatchSizes) byBatch[b.ToString(CultureInfo.InvariantCulture)] = Measure(runAt(b));
            parts[key] = byBatch;
            progress?.Report(key);
        }

        // Front end: one clip's log-mel (batch 1 only: clips are independent).
        var logMel = _options.LogMel ?? new LogMelOptions { MelBins = _space.Input.MelBins };
        double clipSeconds = _options.ClipSeconds ?? (double)(_space.Input.Frames - 1) * logMel.HopLength / logMel.SampleRate;
        var extractor = new LogMelExtractor(logMel);
        var samples = new float[(int)Math.Round(clipSeconds * logMel.SampleRate)];
        var rng = new Random(1);
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(rng.NextDouble() - 0.5);
        var features = new float[extractor.Bins * extractor.FrameCount(samples.Length)];
        var workspace = extractor.CreateWorkspace();
        WarmUpProcess();
        for (int i = 0; i < _options.ProcessWarmupRuns; i++) extractor.Extract(samples, features, workspace);
        parts[LatencyTable.FrontEndKey] = new(StringComparer.Ordinal) { ["1"] = Measure(() => extractor.Extract(samples, features, workspace)) };

        if (_options.Path == LatencyPath.Plan) PlanParts(parts, progress);
        else EvalParts(Add);
        return new LatencyTable
        {
            SpaceJson = _space.ToJson(),
            Machine = $"{RuntimeInformation.OSDescription.Trim()}; {RuntimeInformation.ProcessArchitecture}; {Environment.ProcessorCount} logical CPUs; .NET {Environment.Version}",
            Threads = _options.Path == LatencyPath.Plan ? 1 : WorkerPool.MaxThreads,
            Warmup = _options.Warmup,
            Repeats = _options.Repeats,
            BatchSizes = [.. _options.BatchSizes],
            Path = _options.Path == LatencyPath.Plan ? LatencyTable.PlanPath : LatencyTable.EvalPath,
            Parts = parts,
        };
    }

    /// <summary>Every part timed inside whole compiled networks: per resolution and (kernel, expand), the uniform
    /// network at the smallest depth of at least 2; resample, stem and head from the first of them.</summary>
    private void PlanParts(Dictionary<string, Dictionary<string, LatencyStats>> parts, IProgress<string>? progress)
    {
        // The shallowest networks that still hold a later block per stage: with full-depth ones the sum of parts
        // overestimated whole random sub-networks by 7-9 % on average (two runs; more weights competing for the caches).
        int depth = _space.DepthChoices.Where(d => d >= 2).DefaultIfEmpty(_space.DepthChoices.Max()).Min();
        foreach (int mel in _space.Input.MelBinSet)
        {
            foreach (int hop in _space.Input.HopFactorSet)
            {
                bool firstVariant = true;
                foreach (int k in _space.KernelChoices)
                {
                    foreach (int e in _space.ExpandChoices)
                    {
                        var net = new StaticMbv3Network(_space, ArchConfig.Uniform(_space, depth, k, e, mel, hop), seed: k * 31 + e);
                        net.Eval();
                        var plan = InferencePlan.Compile(net);
                        var x = Input(1, 1, _space.Input.MelBins, _space.Input.Frames).Data;
                        var stats = _options.BatchSizes.ToDictionary(b => b.ToString(CultureInfo.InvariantCulture), b => MeasureSteps(plan, x, b));
                        void Put(string key, int step)
                        {
                            parts[key] = stats.ToDictionary(kv => kv.Key, kv => kv.Value[step], StringComparer.Ordinal);
                            progress?.Report(key);
                        }
                        if (firstVariant)
                        {
                            Put(LatencyTable.ResampleKey(mel, hop), 0);
                            Put(LatencyTable.StemKey(mel, hop), 1);
                            Put(LatencyTable.HeadKey(mel, hop), plan.StepCount - 1);
                            firstVariant = false;
                        }
                        for (int st = 0; st < _space.StageCount; st++)
                        {
                            Put(LatencyTable.BlockKey(st, true, k, e, mel, hop), 2 + st * depth);
                            if (depth > 1) Put(LatencyTable.BlockKey(st, false, k, e, mel, hop), 2 + st * depth + 1);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Per step of <paramref name="plan"/>: statistics over the repeats of the time the step takes for
    /// <paramref name="batch"/> examples run one after another.</summary>
    private LatencyStats[] MeasureSteps(InferencePlan plan, float[] x, int batch)
    {
        var logits = new float[plan.Classes];
        var clock = _options.Clock;
        int steps = plan.StepCount;
        var sums = new double[steps];
        long last = 0;
        void AfterStep(int step)
        {
            long now = clock.GetTimestamp();
            sums[step] += (now - last) * 1000.0 / clock.Frequency;
            last = clock.GetTimestamp();
        }
        Action<int> observer = AfterStep;
        for (int i = 0; i < _options.Warmup; i++) plan.Run(x, logits);
        var samples = new double[steps][];
        for (int s = 0; s < steps; s++) samples[s] = new double[_options.Repeats];
        for (int r = 0; r < _options.Repeats; r++)
        {
            Array.Clear(sums);
            for (int i = 0; i < batch; i++)
            {
                last = clock.GetTimestamp();
                plan.Run(x, logits, observer);
            }
            for (int s = 0; s < steps; s++) samples[s][r] = sums[s];
        }
        return samples.Select(LatencyStats.FromSamples).ToArray();
    }

    private void EvalParts(Action<string, Func<int, Action>> Add)
    {
        var reference = new StaticMbv3Network(_space, ArchConfig.Min(_space));
        foreach (int mel in _space.Input.MelBinSet)
        {
            foreach (int hop in _space.Input.HopFactorSet)
            {
                int frames = _space.Input.FramesAt(hop);
                Add(LatencyTable.ResampleKey(mel, hop), b =>
                {
                    var x = Input(b, 1, _space.Input.MelBins, _space.Input.Frames);
                    return () => InputResampler.Apply(x, mel, hop);
                });
                Add(LatencyTable.StemKey(mel, hop), b =>
                {
                    var x = Input(b, 1, mel, frames);
                    return () => Stem(reference, x);
                });
                var (h, w) = (mel, frames);
                (h, w) = ConvOut(h, w, 3, 2); // stem stride 2
                int cin = _space.StemChannels;
                for (int s = 0; s < _space.StageCount; s++)
                {
                    var st = _space.Stages[s];
                    int cout = _space.StageChannels(s);
                    foreach (bool first in _space.MaxDepth > 1 ? new[] { true, false } : [true])
                    {
                        int inC = first ? cin : cout, stride = first ? st.Stride : 1;
                        var (ih, iw) = first ? (h, w) : ConvOut(h, w, 1, st.Stride);
                        foreach (int k in _space.KernelChoices)
                        {
                            foreach (int e in _space.ExpandChoices)
                            {
                                var block = new StaticMBConv(inC, Channels.ExpandedWidth(inC, e), cout, k, stride, st.Activation, st.UseSe, new Random(k * 31 + e));
                                block.Eval();
                                Add(LatencyTable.BlockKey(s, first, k, e, mel, hop), b =>
                                {
                                    var x = Input(b, inC, ih, iw);
                                    return () => block.Forward(x, null, "b");
                                });
                            }
                        }
                    }
                    (h, w) = ConvOut(h, w, 1, st.Stride);
                    cin = cout;
                }
                var (hh, hw) = (h, w);
                Add(LatencyTable.HeadKey(mel, hop), b =>
                {
                    var x = Input(b, cin, hh, hw);
                    return () => Head(reference, x);
                });
            }
        }
    }

    /// <summary>Measured latency (median, batch 1, network only) of whole random-weight networks of each config, on
    /// <see cref="LatencyProfilerOptions.Path"/>.</summary>
    public IReadOnlyList<LatencyCheckRow> Check(LatencyTable table, IEnumerable<ArchConfig> configs, IProgress<LatencyCheckRow>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(configs);
        var counter = new AecOfa.Nas.Flops.FlopsCounter(_space);
        var rows = new List<LatencyCheckRow>();
        foreach (var config in configs)
        {
            var net = new StaticMbv3Network(_space, config, seed: rows.Count);
            net.Eval();
            var x = Input(1, 1, _space.Input.MelBins, _space.Input.Frames);
            LatencyStats stats;
            if (_options.Path == LatencyPath.Plan)
            {
                var plan = InferencePlan.Compile(net);
                var logits = new float[plan.Classes];
                var features = x.Data;
                stats = Measure(() => plan.Run(features, logits));
            }
            else stats = Measure(() => net.Forward(x));
            var row = new LatencyCheckRow(config, counter.Macs(config), table.Predict(config), stats.MedianMs,
                table.Predict(config, statistic: LatencyStatistic.Min), stats.MinMs);
            rows.Add(row);
            progress?.Report(row);
        }
        return rows;
    }

    private void WarmUpProcess()
    {
        if (_options.ProcessWarmupRuns < 1) return;
        using var noGrad = GradMode.NoGrad();
        foreach (int mel in _space.Input.MelBinSet)
        {
            foreach (int hop in _space.Input.HopFactorSet)
            {
                var net = new StaticMbv3Network(_space, ArchConfig.Max(_space).WithResolution(mel, hop));
                net.Eval();
                if (_options.Path == LatencyPath.Plan)
                {
                    var plan = InferencePlan.Compile(net);
                    var logits = new float[plan.Classes];
                    var features = Input(1, 1, _space.Input.MelBins, _space.Input.Frames).Data;
                    for (int i = 0; i < _options.ProcessWarmupRuns; i++) plan.Run(features, logits);
                    continue;
                }
                foreach (int b in _options.BatchSizes)
                {
                    var x = Input(b, 1, _space.Input.MelBins, _space.Input.Frames);
                    for (int i = 0; i < _options.ProcessWarmupRuns; i++) net.Forward(x);
                }
            }
        }
    }

    private LatencyStats Measure(Action run)
    {
        using (GradMode.NoGrad()) return LatencyStats.Measure(run, _options.Clock, _options.Warmup, _options.Repeats);
    }

    private static Tensor Input(int batch, int channels, int h, int w) => Tensor.Uniform(new Random(batch * 7 + channels), -1f, 1f, batch, channels, h, w);

    /// <summary>Output size of a "same"-padded convolution (padding k/2).</summary>
    private static (int H, int W) ConvOut(int h, int w, int k, int stride) =>
        ((h + 2 * (k / 2) - k) / stride + 1, (w + 2 * (k / 2) - k) / stride + 1);

    private static Tensor Stem(StaticMbv3Network n, Tensor x)
    {
        var h = n.StemBn.Forward(n.StemConv.Forward(x));
        var r = n.FirstDepthwiseBn.Forward(n.FirstDepthwise.Forward(h));
        return TensorOps.Add(n.FirstPointwiseBn.Forward(n.FirstPointwise.Forward(r)), h);
    }

    private static Tensor Head(StaticMbv3Network n, Tensor x)
    {
        var h = n.FinalExpandBn.Forward(n.FinalExpand.Forward(x));
        var v = TensorOps.HardSwish(n.FeatureMix.Forward(TensorOps.GlobalAvgPool2d(h)));
        return n.Classifier.Forward(v);
    }

    /// <summary>Summary of a check: median and 90th percentile of |relative error|, share within 15 %.</summary>
    public static (double MedianAbs, double P90Abs, double MaxAbs, double Within15, double MeanSigned) Summarize(IReadOnlyList<LatencyCheckRow> rows, LatencyStatistic statistic = LatencyStatistic.Median)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var errors = rows.Select(r => statistic == LatencyStatistic.Min ? r.RelativeErrorOfMinima : r.RelativeError).ToArray();
        var abs = errors.Select(Math.Abs).OrderBy(v => v).ToArray();
        return (LatencyStats.Quantile(abs, 0.5), LatencyStats.Quantile(abs, 0.9), abs[^1], abs.Count(v => v <= 0.15) / (double)abs.Length, errors.Average());
    }
}
