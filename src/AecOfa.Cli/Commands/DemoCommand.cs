using System.CommandLine;
using AecOfa.Cli.Demo;
using AecOfa.Nas.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa demo`: the whole once-for-all pipeline on the built-in synthetic dataset, in a few minutes on a laptop.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DemoOptions { OutDir = "runs/demo" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (dataset, feature cache, checkpoint, results.json, pareto.png, best sub-network).", DefaultValueFactory = _ => new DirectoryInfo(defaults.OutDir) };
        var epochs = new Option<int>("--epochs") { Description = "Supernet training epochs.", DefaultValueFactory = _ => defaults.Epochs };
        var clips = new Option<int>("--clips") { Description = "Training clips of the synthetic dataset (validation and test get a quarter each).", DefaultValueFactory = _ => defaults.TrainClips };
        var width = new Option<double>("--width-multiplier") { Description = "Width multiplier of the OFA MobileNetV3 space.", DefaultValueFactory = _ => defaults.WidthMultiplier };
        var seed = new Option<int>("--seed") { Description = "Training seed (weights, data order, sampled sub-networks); the dataset is always the same.", DefaultValueFactory = _ => defaults.Seed };
        var clipSeconds = new Option<double>("--clip-seconds") { Description = "Length of the synthetic clips in seconds (0.5 to 4).", DefaultValueFactory = _ => defaults.ClipSeconds };
        var learningRate = new Option<float>("--learning-rate") { Description = "Peak learning rate of the cosine schedule.", DefaultValueFactory = _ => defaults.LearningRate };
        var batchSize = new Option<int>("--batch-size") { Description = "Clips per training step.", DefaultValueFactory = _ => defaults.BatchSize };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (Nesterov, OFA's recipe) or adamw.", DefaultValueFactory = _ => defaults.Optimizer == TrainingOptimizer.AdamW ? "adamw" : "sgd" };
        optimizer.AcceptOnlyFromAmong("sgd", "adamw");
        var strategy = new Option<string>("--strategy") { Description = "sandwich (largest + smallest + random sub-networks per step, in-place distillation) or full (the largest only).", DefaultValueFactory = _ => "sandwich" };
        strategy.AcceptOnlyFromAmong("sandwich", "full");
        var specAugment = new Option<bool>("--spec-augment") { Description = "SpecAugment time and frequency masks on training batches." };
        var mixup = new Option<double>("--mixup") { Description = "Mixup alpha for training batches (0 = off; PANNs use 1.0).", DefaultValueFactory = _ => defaults.MixupAlpha };
        var resume = new Option<bool>("--resume") { Description = "Continue training from the last epoch checkpoint in --out (same settings required)." };
        var command = new Command("demo", "Train a once-for-all supernet on the synthetic dataset with the sandwich rule, evaluate sub-networks (BN-recalibrated) and write results, a MACs-vs-mAP plot and the best sub-network.")
        {
            output, epochs, clips, width, seed, clipSeconds, learningRate, batchSize, optimizer, strategy, specAugment, mixup, resume,
        };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var options = defaults with
            {
                OutDir = parse.GetValue(output)!.FullName,
                Epochs = parse.GetValue(epochs),
                TrainClips = parse.GetValue(clips),
                WidthMultiplier = parse.GetValue(width),
                Seed = parse.GetValue(seed),
                ClipSeconds = parse.GetValue(clipSeconds),
                LearningRate = parse.GetValue(learningRate),
                BatchSize = parse.GetValue(batchSize),
                Optimizer = parse.GetValue(optimizer) == "adamw" ? TrainingOptimizer.AdamW : TrainingOptimizer.SgdNesterov,
                FullNetworkOnly = parse.GetValue(strategy) == "full",
                SpecAugment = parse.GetValue(specAugment),
                MixupAlpha = parse.GetValue(mixup),
                Resume = parse.GetValue(resume),
            };
            DemoRunner.Run(options, parse.InvocationConfiguration.Output, ct);
            return 0;
        })));
        return command;
    }
}
