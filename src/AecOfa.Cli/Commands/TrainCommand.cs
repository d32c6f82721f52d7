using System.CommandLine;
using AecOfa.Cli.Console;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa train`: a supernet or a baseline on the user's manifest, into a resumable run folder
/// (<see cref="TrainingRun"/> does the work).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var d = new TrainingRunSettings();
        var manifest = new Option<string>("--manifest") { Description = "manifest.csv (or its folder): header path,labels,split; see README 'Datasets'." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Run folder (config.json, metrics.jsonl, checkpoint, results.json; model.safetensors for baselines).", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "JSON file of settings (the format of RUN_DIR/config.json); options given on the command line override it." };
        var strategy = new Option<string>("--strategy") { Description = "full (largest only: the teacher), sandwich (supernet, default), progressive (supernet by OFA's progressive shrinking; needs --teacher), standalone (one architecture from scratch; needs --arch), kd (one architecture distilled from --teacher).", DefaultValueFactory = _ => "sandwich" };
        strategy.AcceptOnlyFromAmong("full", "sandwich", "progressive", "standalone", "kd");
        var arch = new Option<string?>("--arch") { Description = "standalone/kd: smallest, largest, or an ArchConfig JSON file (e.g. from `aecofa search`)." };
        var teacher = new Option<string?>("--teacher") { Description = "A full-network run folder (or an extracted model file): the frozen teacher of kd and progressive (progressive also starts from its weights); with sandwich, the students learn from it instead of in place." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs (progressive: over all its phases).", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Clips per step.", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<float>("--learning-rate") { Description = "Peak learning rate of the cosine schedule.", DefaultValueFactory = _ => d.LearningRate };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (Nesterov, OFA's recipe) or adamw.", DefaultValueFactory = _ => "sgd" };
        optimizer.AcceptOnlyFromAmong("sgd", "adamw");
        var width = new Option<double>("--width-multiplier") { Description = "Width multiplier of the OFA MobileNetV3 space.", DefaultValueFactory = _ => d.WidthMultiplier };
        var task = new Option<string>("--task") { Description = "auto (single-label when every clip has exactly one label), single or multi.", DefaultValueFactory = _ => "auto" };
        task.AcceptOnlyFromAmong("auto", "single", "multi");
        var clipSeconds = new Option<double?>("--clip-seconds") { Description = "Clip length (crop or pad); default: the 95th percentile of the training files' durations." };
        var smoothing = new Option<float>("--label-smoothing") { Description = "Label smoothing (single-label).", DefaultValueFactory = _ => d.LabelSmoothing };
        var specAugment = new Option<bool>("--spec-augment") { Description = "SpecAugment time/frequency masks on training batches (true/false).", DefaultValueFactory = _ => d.SpecAugment };
        var mixup = new Option<double>("--mixup") { Description = "Mixup alpha on training batches, multi-label only (0 = off).", DefaultValueFactory = _ => d.Mixup };
        var randomSubnets = new Option<int>("--random-subnets") { Description = "Sandwich: random sub-networks per step besides the largest and smallest.", DefaultValueFactory = _ => d.RandomSubnets };
        var studentTarget = new Option<string>("--student-target") { Description = "Sandwich: students learn from the teacher only (teacher) or labels + kd (labels+teacher).", DefaultValueFactory = _ => d.StudentTarget };
        studentTarget.AcceptOnlyFromAmong("teacher", "labels+teacher");
        var studentTeacher = new Option<string>("--student-teacher") { Description = "Sandwich with --teacher: students distill from the frozen teacher (frozen) or from the step's largest sub-network (in-place; the teacher run only gives the starting weights).", DefaultValueFactory = _ => d.StudentTeacher };
        studentTeacher.AcceptOnlyFromAmong("frozen", "in-place");
        var kdRatio = new Option<float>("--kd-ratio") { Description = "Weight of the distillation loss (kd, progressive).", DefaultValueFactory = _ => d.KdRatio };
        var kdTemperature = new Option<float>("--kd-temperature") { Description = "Temperature of single-label distillation.", DefaultValueFactory = _ => d.KdTemperature };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, data order, sampled sub-networks, dropout and augmentation.", DefaultValueFactory = _ => d.Seed };
        var cache = new Option<string?>("--cache") { Description = "Feature cache file (share one between runs on the same data); default RUN_DIR/features.cache." };
        var recalibration = new Option<int>("--recalibration-clips") { Description = "Training clips for exact BN recalibration before every evaluation.", DefaultValueFactory = _ => d.RecalibrationClips };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { Description = "Checkpoint at least this often inside an epoch.", DefaultValueFactory = _ => d.CheckpointMinutes };
        var warmStart = new Option<bool?>("--warm-start") { Description = "Start the supernet from the --teacher run's weights (default: yes for progressive, and for sandwich with a --teacher)." };
        var checkpointSteps = new Option<int>("--checkpoint-every-steps") { Description = "Also checkpoint every N steps inside an epoch (0 = off).", DefaultValueFactory = _ => d.CheckpointEverySteps };
        var threads = new Option<int>("--threads") { Description = "Engine threads for training steps (0 = measured: all cores or one, whichever is faster on this machine; results never change).", DefaultValueFactory = _ => d.Threads };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint (same settings required)." };
        var device = CliDevice.CreateOption();
        var command = new Command("train", "Train a once-for-all supernet (or a scratch / KD baseline) on a manifest of your recordings into a resumable run folder.")
        {
            manifest, output, config, strategy, arch, teacher, epochs, batch, lr, optimizer, width, task, clipSeconds, smoothing, specAugment, mixup,
            randomSubnets, studentTarget, studentTeacher, kdRatio, kdTemperature, seed, cache, recalibration, checkpointMinutes, checkpointSteps, warmStart, threads, resume, device,
        };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            var s = parse.GetValue(config) is { } file ? TrainingRunSettings.Load(file.FullName) : new TrainingRunSettings();
            if (Given(manifest)) s = s with { Manifest = parse.GetValue(manifest)! };
            if (Given(strategy) || parse.GetValue(config) is null) s = s with { Strategy = Enum.Parse<RunStrategy>(parse.GetValue(strategy)!, ignoreCase: true) };
            if (Given(arch)) s = s with { Arch = parse.GetValue(arch) };
            if (Given(teacher)) s = s with { Teacher = parse.GetValue(teacher) };
            if (Given(epochs)) s = s with { Epochs = parse.GetValue(epochs) };
            if (Given(batch)) s = s with { BatchSize = parse.GetValue(batch) };
            if (Given(lr)) s = s with { LearningRate = parse.GetValue(lr) };
            if (Given(optimizer)) s = s with { Optimizer = parse.GetValue(optimizer) == "adamw" ? TrainingOptimizer.AdamW : TrainingOptimizer.SgdNesterov };
            if (Given(width)) s = s with { WidthMultiplier = parse.GetValue(width) };
            if (Given(task)) s = s with { Data = s.Data with { Task = parse.GetValue(task) switch { "single" => TaskKind.SingleLabel, "multi" => TaskKind.MultiLabel, _ => null } } };
            if (Given(clipSeconds)) s = s with { Data = s.Data with { ClipSeconds = parse.GetValue(clipSeconds) } };
            if (Given(cache)) s = s with { Data = s.Data with { CachePath = parse.GetValue(cache) } };
            if (Given(smoothing)) s = s with { LabelSmoothing = parse.GetValue(smoothing) };
            if (Given(specAugment)) s = s with { SpecAugment = parse.GetValue(specAugment) };
            if (Given(mixup)) s = s with { Mixup = parse.GetValue(mixup) };
            if (Given(randomSubnets)) s = s with { RandomSubnets = parse.GetValue(randomSubnets) };
            if (Given(studentTarget)) s = s with { StudentTarget = parse.GetValue(studentTarget)! };
            if (Given(studentTeacher)) s = s with { StudentTeacher = parse.GetValue(studentTeacher)! };
            if (Given(kdRatio)) s = s with { KdRatio = parse.GetValue(kdRatio) };
            if (Given(kdTemperature)) s = s with { KdTemperature = parse.GetValue(kdTemperature) };
            if (Given(seed)) s = s with { Seed = parse.GetValue(seed) };
            if (Given(recalibration)) s = s with { RecalibrationClips = parse.GetValue(recalibration) };
            if (Given(checkpointMinutes)) s = s with { CheckpointMinutes = parse.GetValue(checkpointMinutes) };
            if (Given(warmStart)) s = s with { WarmStart = parse.GetValue(warmStart) };
            if (Given(checkpointSteps)) s = s with { CheckpointEverySteps = parse.GetValue(checkpointSteps) };
            if (Given(threads)) s = s with { Threads = parse.GetValue(threads) };
            var output1 = parse.InvocationConfiguration.Output;
            var observer = new RunObserver { Log = output1, Progress = (label, unit) => new ProgressReporter(label, unit) };
            TrainingRun.Run(s, parse.GetValue(output)!.FullName, parse.GetValue(resume), observer, ct, CliDevice.Resolve(parse.GetValue(device)!, output1));
            return 0;
        })));
        return command;
    }
}
