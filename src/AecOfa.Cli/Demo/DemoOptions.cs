using AecOfa.Audio.Augmentation;
using AecOfa.Nas.Space;
using AecOfa.Nas.Training;

namespace AecOfa.Cli.Demo;

/// <summary>
/// Everything `aecofa demo` does, as data. The CLI exposes the first few settings; tests shrink the rest (clip length,
/// mel bins, space) to run end to end in seconds.
/// </summary>
internal sealed record DemoOptions
{
    public required string OutDir { get; init; }

    public int Epochs { get; init; } = 10;

    /// <summary>Training clips; validation and test get a quarter each (at least 4).</summary>
    public int TrainClips { get; init; } = 1200;

    public double WidthMultiplier { get; init; } = 0.25;

    /// <summary>Training seed: weights, data order, sampled sub-networks, dropout; the dataset keeps the synth default seed.</summary>
    public int Seed { get; init; } = 1;

    public bool Resume { get; init; }

    public double ClipSeconds { get; init; } = 1.0;

    public int MelBins { get; init; } = 64;

    public int BatchSize { get; init; } = 32;

    public float LearningRate { get; init; } = 0.1f;

    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.SgdNesterov;

    /// <summary>Sandwich rule (the default) or the largest sub-network only.</summary>
    public bool FullNetworkOnly { get; init; }

    /// <summary>Random sub-networks per sandwich step (besides the largest and the smallest).</summary>
    public int TrainRandomSubnets { get; init; } = 2;

    /// <summary>Random sub-networks evaluated on validation besides the smallest and the largest.</summary>
    public int EvalRandomSubnets { get; init; } = 8;

    /// <summary>At most this many sub-networks of the validation Pareto front are also evaluated on test.</summary>
    public int TestBest { get; init; } = 4;

    /// <summary>Training clips used for exact BN recalibration before each evaluation.</summary>
    public int RecalibrationClips { get; init; } = 300;

    /// <summary>The space's structure (stages, choices); input size and classes are set from the data. Null: the OFA
    /// MobileNetV3 space at <see cref="WidthMultiplier"/>, with elastic input resolution (mel bins, hop).</summary>
    public ArchSpace? Space { get; init; }

    /// <summary>SpecAugment on training batches (<see cref="DefaultSpecAugment"/>).</summary>
    public bool SpecAugment { get; init; }

    /// <summary>Mixup on training batches with lambda ~ Beta(alpha, alpha); 0 = off.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>Two time masks of up to 10 frames and two frequency masks of up to 8 bins, filled with 0 (the mean
    /// after normalization): light masking for short clips.</summary>
    public static SpecAugment DefaultSpecAugment { get; } = new(timeMasks: 2, maxTimeWidth: 10, frequencyMasks: 2, maxFrequencyWidth: 8);

    /// <summary>No progress bars (tests).</summary>
    public bool Quiet { get; init; }

    public int ValidationClips => Math.Max(4, TrainClips / 4);

    public int TestClips => Math.Max(4, TrainClips / 4);

    public void Validate()
    {
        static void Check(bool ok, string option, object value, string expected)
        {
            if (!ok) throw new ArgumentException($"{option} = {value}: must be {expected}.");
        }
        Check(!string.IsNullOrWhiteSpace(OutDir), "--out", OutDir, "a folder");
        Check(Epochs is >= 1 and <= 1000, "--epochs", Epochs, "in 1..1000");
        Check(TrainClips is >= 8 and <= 100_000, "--clips", TrainClips, "in 8..100000");
        Check(WidthMultiplier is >= 0.1 and <= 2.0, "--width-multiplier", WidthMultiplier, "in [0.1, 2]");
        Check(ClipSeconds is >= 0.5 and <= 4, "--clip-seconds", ClipSeconds, "in [0.5, 4]");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), "--learning-rate", LearningRate, "a positive number");
        Check(MixupAlpha >= 0 && double.IsFinite(MixupAlpha), "--mixup", MixupAlpha, ">= 0");
        Check(BatchSize >= 2, "--batch-size", BatchSize, ">= 2");
        Check(EvalRandomSubnets >= 0, "eval random sub-networks", EvalRandomSubnets, ">= 0");
        Check(TestBest >= 1, "test best", TestBest, ">= 1");
        Check(RecalibrationClips >= 1, "recalibration clips", RecalibrationClips, ">= 1");
    }
}
