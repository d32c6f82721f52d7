using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;
using AecOfa.Pipelines;

namespace AecOfa.Benchmarks;

/// <summary>
/// `... -- sandwich [--width 0.25] [--input 64x101] [--classes 11] [--random 2] [--threads 1,2] [--steps 10]
/// [--warmup 10] [--rounds 3] [--seed 0] [--by-op]`: the cost of weight sharing. One full step of the demo's strategy
/// (<see cref="SandwichStrategy"/> with a frozen teacher: the largest sub-network on the labels with dropout, the
/// smallest and <c>--random</c> random ones distilling) through the product's <see cref="Trainer"/> on the demo's
/// <see cref="OfaSupernet"/> (width 0.25, elastic mel bins and hop on 64x101 log-mels), against the sum of the same
/// sub-networks' steps as extracted <see cref="StaticMbv3Network"/>s through the same trainer (same loss, clipping,
/// SGD, arena). The step's configs are fixed (the trainer is always given step 0, so it samples the same random
/// sub-networks and dropout every time). The frozen teacher's forward is timed alone and left out of the ratio:
/// the static students here train on the labels (the same cost as distillation against given logits).
/// Rounds interleave the sandwich step and the static steps, so both see the same host load.
/// At two or more threads the trainer runs the step's sub-networks concurrently, one per thread, while each static step
/// splits its ops between the threads: the ratio then holds the gain of that concurrency as well, and the cost of
/// weight sharing proper is the one-thread ratio.
/// </summary>
public static class SandwichStepBenchmark
{
    public static void Run(string[] args)
    {
        double width = 0.25;
        (int MelBins, int Frames) input = (64, 101);
        int classes = 11, random = SandwichStrategy.DefaultRandomSubnets, steps = 10, warmup = 10, rounds = 3, seed = 0, batch = 32;
        int[] threads = { 1, 2 };
        bool byOp = false;
        for (int i = 0; i < args.Length; i++)
        {
            string value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"sandwich: {args[i]} needs a value.");
            switch (args[i])
            {
                case "--width": width = BenchArgs.PositiveDouble("--width", value()); break;
                case "--input": input = BenchArgs.InputShape(value()); break;
                case "--classes": classes = BenchArgs.PositiveInt("--classes", value()); break;
                case "--random": random = int.Parse(value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--threads": threads = value().Split(',').Select(s => BenchArgs.PositiveInt("--threads", s)).ToArray(); break;
                case "--steps": steps = BenchArgs.PositiveInt("--steps", value()); break;
                case "--warmup": warmup = int.Parse(value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = BenchArgs.PositiveInt("--rounds", value()); break;
                case "--seed": seed = int.Parse(value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--batch": batch = BenchArgs.PositiveInt("--batch", value()); break;
                case "--by-op": byOp = true; break;
                default: throw new ArgumentException($"sandwich: unknown argument '{args[i]}'.");
            }
        }

        var space = SpaceFactory.ForData(width, elasticResolution: true, input.MelBins, input.Frames, classes);
        var options = new TrainerOptions { BatchSize = batch, Seed = seed, CheckpointInterval = null, PrefetchBatches = false };
        var supernet = new OfaSupernet(space, seed);
        var teacher = new FrozenTeacher(SubnetExtractor.ExtractWithCurrentStatistics(new OfaSupernet(space, seed + 1), ArchConfig.Max(space)), ArchConfig.Max(space));
        var strategy = new RecordingStrategy(new SandwichStrategy(random, SubnetTarget.Teacher, 1f, useFrozenTeacher: true));
        var sandwich = new Trainer(supernet, strategy, options, teacher);
        var rng = new Random(seed);
        var features = Tensor.Randn(rng, 1f, batch, 1, input.MelBins, input.Frames);
        var targets = Tensor.Zeros(batch, classes);
        for (int i = 0; i < targets.Numel; i++) targets.Span[i] = rng.Next(2);

        float SandwichStep() => sandwich.TrainStep(sandwich.Phases[0], features, targets, step: 0, epoch: 0, learningRate: 0.01f).Total;
        SandwichStep();
        var tasks = strategy.LastPlan!;
        var statics = tasks.Select(task =>
        {
            var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, task.Config);
            net.Train(); // extraction leaves it in eval mode; the trainer trains whatever mode it is given
            var alone = new FixedTaskStrategy(task with { Target = SubnetTarget.Labels, IsTeacher = false });
            return (Task: task, Trainer: new Trainer(net, alone, options));
        }).ToArray();
        float StaticStep(int k) => statics[k].Trainer.TrainStep(statics[k].Trainer.Phases[0], features, targets, step: 0, epoch: 0, learningRate: 0.01f).Total;
        var teacherArena = new TensorArena(); // as inside the trainer's step scope
        float TeacherForward()
        {
            using var _ = teacherArena.Begin();
            return teacher.Logits(features).Span[0];
        }

        var counter = new AecOfa.Nas.Flops.FlopsCounter(space);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"space: width {width:R}, input {input.MelBins}x{input.Frames}, {classes} classes, batch {batch}; the step's sub-networks:"));
        foreach (var task in tasks)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {task.Role,-9} {counter.Count(task.Config).Macs / 1e6,6:F2} M MACs  {task.Config}"));

        foreach (int t in threads)
        {
            WorkerPool.MaxThreads = t;
            for (int i = 0; i < warmup; i++)
            {
                SandwichStep();
                for (int k = 0; k < statics.Length; k++) StaticStep(k);
                TeacherForward();
            }
            var sandwichMs = new List<double>();
            var staticMs = new List<double>();
            var teacherMs = new List<double>();
            var perTask = new double[statics.Length];
            // With one thread the calling thread does all the work: its CPU clock is robust to other load on the host.
            Func<long> clock = t == 1 ? ThreadCpuClock.Now : Stopwatch.GetTimestamp;
            double ticksPerMs = (t == 1 ? ThreadCpuClock.TicksPerSecond : Stopwatch.Frequency) / 1000.0;
            double TimePerCall(int calls, Action action)
            {
                long t0 = clock();
                for (int i = 0; i < calls; i++) action();
                return (clock() - t0) / ticksPerMs / calls;
            }
            for (int r = 0; r < rounds; r++)
            {
                sandwichMs.Add(TimePerCall(steps, () => SandwichStep()));
                double sum = 0;
                for (int k = 0; k < statics.Length; k++)
                {
                    double ms = TimePerCall(steps, () => StaticStep(k));
                    perTask[k] += ms / rounds;
                    sum += ms;
                }
                staticMs.Add(sum);
                teacherMs.Add(TimePerCall(steps, () => TeacherForward()));
            }
            double s = Median(sandwichMs), st = Median(staticMs), te = Median(teacherMs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"== sandwich step, {t} thread(s): {batch * 1000.0 / s:F1} samples/s ({s:F1} ms/step {(t == 1 ? "CPU of the calling thread" : "wall")} incl. the frozen teacher's forward {te:F1} ms); " +
                $"static steps of the same {statics.Length} sub-networks: {st:F1} ms; weight-sharing cost (step - teacher) / static sum = {(s - te) / st:F3} " +
                $"(medians of {rounds} interleaved round(s) of {steps} steps; per round: {string.Join(" ", sandwichMs.Zip(staticMs, teacherMs).Select(x => ((x.First - x.Third) / x.Second).ToString("F3", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine("   static step per sub-network (ms, mean over rounds): " + string.Join(", ",
                statics.Select((x, k) => string.Create(CultureInfo.InvariantCulture, $"{x.Task.Role} {perTask[k]:F1}"))));
            if (byOp)
            {
                var p1 = t == 1 ? new OpProfiler(ThreadCpuClock.Now, ThreadCpuClock.TicksPerSecond) { Steps = steps } : new OpProfiler { Steps = steps };
                using (p1.Begin())
                    for (int i = 0; i < steps; i++) { p1.Lap(); SandwichStep(); }
                Console.WriteLine("-- sandwich step by op:");
                Console.WriteLine(p1.Report());
                var p2 = t == 1 ? new OpProfiler(ThreadCpuClock.Now, ThreadCpuClock.TicksPerSecond) { Steps = steps } : new OpProfiler { Steps = steps };
                using (p2.Begin())
                    for (int i = 0; i < steps; i++)
                        for (int k = 0; k < statics.Length; k++) { p2.Lap(); StaticStep(k); }
                Console.WriteLine("-- the static steps' sum by op:");
                Console.WriteLine(p2.Report());
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The wrapped strategy, remembering the plan of the last step (to train the same sub-networks alone).</summary>
    private sealed class RecordingStrategy(ITrainingStrategy inner) : ITrainingStrategy
    {
        public IReadOnlyList<SubnetTask>? LastPlan { get; private set; }
        public string Name => inner.Name;
        public bool NeedsFrozenTeacher => inner.NeedsFrozenTeacher;
        public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => inner.Phases(space, epochs);
        public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) => LastPlan = inner.Plan(phase, sampling);
        public string Describe() => inner.Describe();
    }

    /// <summary>One fixed task every step (a sub-network of the sandwich step, trained alone).</summary>
    private sealed class FixedTaskStrategy(SubnetTask task) : ITrainingStrategy
    {
        public string Name => "fixed";
        public bool NeedsFrozenTeacher => false;
        public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, [task.Role])];
        public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) => [task];
        public string Describe() => $"fixed({task.Role})";
    }
}
