using System.Diagnostics;
using System.Runtime.Intrinsics;
using AecOfa.Audio.Features;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Cli.Bench;

/// <summary>One headline number of <see cref="QuickBench"/>.</summary>
public sealed record BenchLine(string Name, double Value, string Unit, string Note);

/// <summary>
/// The headline numbers a user can get in about a minute (`aecofa bench`): the in-run FMA peak, GEMM at 512-cubed,
/// the 7x7 depthwise weight gradient, log-mel extraction, and the training step and single-clip latency of the
/// largest and smallest reference sub-networks (batch 32, 1x64x100 log-mels, 10 classes, SGD Nesterov), with 1
/// and 2 threads. Stopwatch timing after a warm-up long enough for tiered JIT; each figure is the median of
/// several timed repetitions. For careful numbers use the BenchmarkDotNet suite in benchmarks/.
/// </summary>
public sealed class QuickBench
{
    private readonly Action<BenchLine> _report;

    public QuickBench(Action<BenchLine> report) => _report = report;

    /// <summary>Time budget scale: 1 for the default run; tests use a tiny value.</summary>
    public double Effort { get; init; } = 1.0;

    public bool IncludeTraining { get; init; } = true;

    public IReadOnlyList<int> ThreadCounts { get; init; } = [1, 2];

    public List<BenchLine> Run()
    {
        var lines = new List<BenchLine>();
        void Add(BenchLine l) { lines.Add(l); _report(l); }
        int savedThreads = WorkerPool.MaxThreads;
        try
        {
            bool v512 = Vector512.IsHardwareAccelerated;
            double peak = FmaPeak.MeasureGflops(v512, iterations: Scaled(2_000_000));
            Add(new BenchLine("FMA peak, 1 thread", peak, "GFLOP/s", v512 ? "Vector512 register-only loop" : "Vector256 register-only loop"));

            foreach (int threads in ThreadCounts)
            {
                WorkerPool.MaxThreads = threads;
                double g = GemmGflops(512);
                Add(new BenchLine($"GEMM 512^3, {threads} thread(s)", g, "GFLOP/s", $"{100 * g / (peak * threads):F0}% of {threads} x FMA peak"));
            }

            WorkerPool.MaxThreads = 1;
            double dw = DepthwiseWeightGradGmacs();
            Add(new BenchLine("depthwise 7x7 weight grad, 1 thread", dw, "GMAC/s", "batch 32, 144 ch, 16x25; libtorch/oneDNN ~1.9 GMAC/s (shared/peers/torch/README.md)"));

            double rtf = LogMelRealTimeFactor();
            Add(new BenchLine("log-mel 64 bins, 1 thread", rtf, "x real time", "16 kHz, 25 ms window, 10 ms hop"));

            if (IncludeTraining)
            {
                var space = ArchSpace.Default;
                foreach (var (name, config) in new[] { ("largest", ArchConfig.Max(space)), ("smallest", ArchConfig.Min(space)) })
                {
                    foreach (int threads in ThreadCounts)
                    {
                        WorkerPool.MaxThreads = threads;
                        double sps = TrainingSamplesPerSecond(space, config, batch: 32);
                        Add(new BenchLine($"train step {name}, {threads} thread(s)", sps, "samples/s", $"batch 32; libtorch: {LibTorchReference(name, threads)}"));
                    }
                    WorkerPool.MaxThreads = 1;
                    double ms = InferenceLatencyMs(space, config);
                    Add(new BenchLine($"inference {name}, 1 clip, 1 thread", ms, "ms", "eval, no grad"));
                }
            }
        }
        finally
        {
            WorkerPool.MaxThreads = savedThreads;
        }
        return lines;
    }

    // libtorch 2.10 on the reference machine of shared/peers/torch/README.md (not re-measured here).
    private static string LibTorchReference(string subnet, int threads) => (subnet, threads) switch
    {
        ("largest", 1) => "~41 samples/s on the peer's machine",
        ("largest", 2) => "~75 samples/s on the peer's machine",
        ("smallest", 1) => "~290 samples/s on the peer's machine",
        ("smallest", 2) => "~463 samples/s on the peer's machine",
        _ => "n/a",
    };

    private long Scaled(long n) => Math.Max(1, (long)(n * Effort));

    private int Reps(int n) => (int)Math.Max(1, Math.Round(n * Effort));

    /// <summary>
    /// Median seconds of <paramref name="reps"/> timed calls after at least <paramref name="warmup"/> untimed ones and at
    /// least <paramref name="minWarmupSeconds"/> of warm-up: a training step runs each op's code only a few dozen times,
    /// and tiered JIT needs about a second of steps to reach its optimized code (3 warm-up steps measured the smallest
    /// subnet at 2 threads up to 40% slow).
    /// </summary>
    internal static double MedianSeconds(Action body, int warmup, int reps, double minWarmupSeconds = 0)
    {
        long w0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(w0).TotalSeconds < minWarmupSeconds; i++) body();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    private double GemmGflops(int n)
    {
        var rng = new Random(1);
        var a = new float[n * n];
        var b = new float[n * n];
        var c = new float[n * n];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble(); }
        double s = MedianSeconds(() => Gemm.Sgemm(false, false, n, n, n, a, n, b, n, c, n, accumulate: false), Reps(20), Reps(15));
        return 2.0 * n * n * n / s / 1e9;
    }

    private double DepthwiseWeightGradGmacs()
    {
        var g = ConvGeometry.Square(32, 144, 144, 16, 25, kernel: 7, stride: 1, pad: 3, groups: 144);
        var rng = new Random(2);
        var x = new float[g.Batch * g.InChannels * g.InH * g.InW];
        var gy = new float[g.Batch * g.OutChannels * g.OutH * g.OutW];
        var gw = new float[g.OutChannels * 49];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        for (int i = 0; i < gy.Length; i++) gy[i] = (float)rng.NextDouble();
        double s = MedianSeconds(() => DepthwiseConv.BackwardWeight(g, x, gy, gw), Reps(10), Reps(15));
        return g.Macs / s / 1e9;
    }

    private double LogMelRealTimeFactor()
    {
        var extractor = new LogMelExtractor();
        var rng = new Random(3);
        var audio = new float[extractor.SampleRate * 10];
        for (int i = 0; i < audio.Length; i++) audio[i] = (float)(rng.NextDouble() - 0.5);
        var features = new float[extractor.Bins * extractor.FrameCount(audio.Length)];
        var workspace = extractor.CreateWorkspace();
        double s = MedianSeconds(() => extractor.Extract(audio, features, workspace), Reps(20), Reps(15));
        return 10.0 / s;
    }

    private double TrainingSamplesPerSecond(ArchSpace space, ArchConfig config, int batch)
    {
        var net = new StaticMbv3Network(space, config, seed: 0);
        net.Train();
        var rng = new Random(4);
        var x = Tensor.Randn(rng, 1f, batch, 1, space.Input.MelBins, space.Input.Frames);
        var y = Tensor.Zeros(batch, space.Classes);
        for (int i = 0; i < y.Numel; i++) y.Data[i] = rng.NextDouble() < 0.3 ? 1f : 0f;
        var sgd = new Sgd(net.NamedParameters(), learningRate: 0.01f, momentum: 0.9f, nesterov: true);
        var dropout = new Random(6); // dropout 0.1 as in the libtorch peer
        var arena = new TensorArena(); // as the trainer runs: a warm step reuses the previous step's buffers
        void Step()
        {
            using var scope = arena.Begin();
            sgd.ZeroGrad();
            var loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x, dropout: dropout), y);
            loss.Backward();
            sgd.Step();
        }
        double s = MedianSeconds(Step, Reps(3), Reps(7), minWarmupSeconds: 2.0 * Effort);
        return batch / s;
    }

    private double InferenceLatencyMs(ArchSpace space, ArchConfig config)
    {
        var net = new StaticMbv3Network(space, config, seed: 0);
        net.Eval();
        var x = Tensor.Randn(new Random(5), 1f, 1, 1, space.Input.MelBins, space.Input.Frames);
        double s = MedianSeconds(() =>
        {
            using (GradMode.NoGrad()) net.Forward(x);
        }, Reps(10), Reps(20));
        return s * 1e3;
    }
}
