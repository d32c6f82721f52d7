using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Pipelines;
using AecOfa.Pipelines.Training;

namespace AecOfa.Benchmarks;

/// <summary>
/// `... -- validation [--width 0.25] [--input 64x101] [--classes 11] [--recalibration-clips 500] [--validation-clips 300]
/// [--threads 2] [--rounds 3] [--seed 0]`: one epoch's validation of the demo's supernet, as the trainer runs it
/// (<see cref="TrainingRun.ValidationProbes"/>: largest, middle, smallest; each an exact BN recalibration on the
/// recalibration clips in batches of 200, then the eval forward of the validation clips through
/// <see cref="SubnetEvaluator"/>), on random features. Reported per probe: wall ms per validation, clips per second
/// (recalibration + validation clips) and the process's minor page faults per validation (first touches of fresh
/// memory; Linux only). Two evaluators alternate in every round: `recycled` (the product's defaults: activation
/// buffers kept between calls) and `tight` (nothing kept between calls, <c>RetainedFloats = 0</c>), which shows what
/// keeping the pool across the three alternating probes buys.
/// </summary>
public static class ValidationBenchmark
{
    public static void Run(string[] args)
    {
        double width = 0.25;
        (int MelBins, int Frames) input = (64, 101);
        int classes = 11, recalibrationClips = 500, validationClips = 300, threads = 2, rounds = 3, seed = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"validation: {args[i]} needs a value.");
            switch (args[i])
            {
                case "--width": width = BenchArgs.PositiveDouble("--width", value()); break;
                case "--input": input = BenchArgs.InputShape(value()); break;
                case "--classes": classes = BenchArgs.PositiveInt("--classes", value()); break;
                case "--recalibration-clips": recalibrationClips = BenchArgs.PositiveInt("--recalibration-clips", value()); break;
                case "--validation-clips": validationClips = BenchArgs.PositiveInt("--validation-clips", value()); break;
                case "--threads": threads = BenchArgs.PositiveInt("--threads", value()); break;
                case "--rounds": rounds = BenchArgs.PositiveInt("--rounds", value()); break;
                case "--seed": seed = int.Parse(value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"validation: unknown argument '{args[i]}'.");
            }
        }
        WorkerPool.MaxThreads = threads;
        var space = SpaceFactory.ForData(width, elasticResolution: true, input.MelBins, input.Frames, classes);
        var supernet = new OfaSupernet(space, seed);
        var rng = new Random(seed);
        var recalibration = new Features(Tensor.Randn(rng, 1f, recalibrationClips, 1, input.MelBins, input.Frames));
        var validation = new Labeled(Tensor.Randn(rng, 1f, validationClips, 1, input.MelBins, input.Frames), RandomTargets(rng, validationClips, classes));
        var probes = TrainingRun.ValidationProbes(supernet, space);
        var evaluators = new (string Name, SubnetEvaluator Evaluator)[]
        {
            ("recycled", new SubnetEvaluator(supernet, new BnRecalibrator(recalibration, recalibrationClips, BnRecalibrator.DefaultBatchSize), validation)),
            ("tight", new SubnetEvaluator(supernet, new BnRecalibrator(recalibration, recalibrationClips, BnRecalibrator.DefaultBatchSize) { RetainedFloats = 0 }, validation) { RetainedFloats = 0 }),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation of the supernet (width {width:R}, input {input.MelBins}x{input.Frames}, {classes} classes), {threads} thread(s): recalibration {recalibrationClips} clips in batches of {BnRecalibrator.DefaultBatchSize}, evaluation {validationClips} clips (CPU chunks of {SubnetEvaluator.CpuChunkClips})"));

        var ms = new Dictionary<(string, string), List<double>>();
        var faults = new Dictionary<(string, string), List<long>>();
        foreach (var (name, evaluator) in evaluators) // warm-up: JIT, pools, worker threads
            foreach (var (_, config) in probes) evaluator.Evaluate(config);
        for (int r = 0; r < rounds; r++)
            foreach (var (name, evaluator) in evaluators)
                foreach (var (probe, config) in probes)
                {
                    long f0 = MinorFaults();
                    long t0 = Stopwatch.GetTimestamp();
                    evaluator.Evaluate(config);
                    double elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    long f1 = MinorFaults();
                    Add(ms, (name, probe), elapsed);
                    Add(faults, (name, probe), f0 < 0 ? -1 : f1 - f0);
                }
        foreach (var (name, _) in evaluators)
        {
            double total = 0;
            foreach (var (probe, _) in probes)
            {
                double m = Median(ms[(name, probe)]);
                total += m;
                long f = (long)Median(faults[(name, probe)].Select(x => (double)x).ToList());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-8} {probe,-8} {m,8:F1} ms  {(recalibrationClips + validationClips) * 1000.0 / m,7:F0} clips/s  minor faults {(f < 0 ? "n/a" : f.ToString(CultureInfo.InvariantCulture)),8}   (rounds: {string.Join(" ", ms[(name, probe)].Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))})"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-8} one epoch's validation (3 probes): {total:F0} ms (medians of {rounds} interleaved rounds)"));
        }
    }

    private static void Add<T>(Dictionary<(string, string), List<T>> d, (string, string) key, T value)
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = new List<T>();
        list.Add(value);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat), or -1 where there is none.</summary>
    private static long MinorFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": field 3 is fields[0]
            return long.Parse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    private static Tensor RandomTargets(Random rng, int clips, int classes)
    {
        var y = Tensor.Zeros(clips, classes);
        for (int i = 0; i < clips; i++)
        {
            y[i, i % classes] = 1f; // every class has positives, so mAP is defined
            if (rng.Next(3) == 0) y[i, rng.Next(classes)] = 1f;
        }
        return y;
    }

    private sealed class Features(Tensor x) : IFeatureBatches
    {
        public IEnumerable<Tensor> Batches(int clips, int batchSize)
        {
            int n = Math.Min(clips, x.Shape[0]);
            for (int s = 0; s < n; s += batchSize) yield return Engine.Ops.TensorOps.Slice(x, 0, s, Math.Min(batchSize, n - s));
        }
    }

    private sealed class Labeled(Tensor x, Tensor y) : ILabeledBatches
    {
        public IEnumerable<(Tensor Features, Tensor Targets)> Batches(int batchSize)
        {
            for (int s = 0; s < x.Shape[0]; s += batchSize)
            {
                int n = Math.Min(batchSize, x.Shape[0] - s);
                yield return (Engine.Ops.TensorOps.Slice(x, 0, s, n), Engine.Ops.TensorOps.Slice(y, 0, s, n));
            }
        }
    }
}
