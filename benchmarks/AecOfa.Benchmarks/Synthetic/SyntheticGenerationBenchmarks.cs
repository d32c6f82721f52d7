using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Backgrounds;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks.Synthetic;

/// <summary>
/// Cost of the synthetic household-events dataset: one whole clip (default 1.5 s at 16 kHz, every step) and each
/// background alone. Run: --filter '*SyntheticGeneration*' --job short. Per-class costs: <see cref="SyntheticEventBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class SyntheticGenerationBenchmarks
{
    private readonly SyntheticEventsDataset _dataset = new(new SyntheticEventsOptions { TrainClips = 1000 });
    private int _next;

    /// <summary>Cycles through 1000 clips, so the mean covers the mix of event counts, classes and rooms.</summary>
    [Benchmark]
    public float[] WholeClip() => _dataset.Get(DatasetSplit.Train, _next++ % 1000).Clip.Samples;

    [Benchmark]
    [Arguments(BackgroundKind.PinkNoise)]
    [Arguments(BackgroundKind.BrownNoise)]
    [Arguments(BackgroundKind.Babble)]
    public float[] Background(BackgroundKind kind) => BackgroundSynthesizer.Render(new BackgroundRecipe(kind, 50, -5, _next++), 16000, 24000);
}
