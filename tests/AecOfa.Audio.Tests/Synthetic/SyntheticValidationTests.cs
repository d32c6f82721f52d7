using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Backgrounds;
using AecOfa.Audio.Synthetic.Mixing;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticValidationTests
{
    private sealed class FixedSynthesizer(string name, int length) : IEventSynthesizer
    {
        public string Name => name;

        public float[] Generate(Random rng, int sampleRate, int maxSamples) => Enumerable.Repeat(0.5f, length).ToArray();
    }

    private static ClipRecipe OneEventRecipe(int classIndex, int onset) =>
        new(16000, new BackgroundRecipe(BackgroundKind.PinkNoise, 0, 0, 1), new RoomReverb(0.2, 0.003, 5000, 2),
            [new EventPlacement(classIndex, onset, 3, 0.2, 3)], 0.5);

    [Fact]
    public void CustomClassListsAreCheckedForUsableNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SyntheticEventsDataset(null, [new FixedSynthesizer("a;b", 10)]));
        Assert.Contains("a;b", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new SyntheticEventsDataset(null, [new FixedSynthesizer("x", 10), new FixedSynthesizer("x", 10)]));
        Assert.Contains("Duplicate", ex.Message);
        Assert.Throws<ArgumentException>(() => new SyntheticEventsDataset(null, []));
    }

    [Fact]
    public void ASynthesizerThatIgnoresItsLimitIsNamedInTheError()
    {
        var renderer = new SyntheticClipRenderer([new FixedSynthesizer("too_long", 20000)], 16000);
        var ex = Assert.Throws<InvalidOperationException>(() => renderer.Render(OneEventRecipe(0, 8000)));
        Assert.Contains("too_long", ex.Message);
        Assert.Contains("8000", ex.Message);
    }

    [Fact]
    public void RecipesWithImpossiblePlacementsAreRejected()
    {
        var renderer = new SyntheticClipRenderer([new FixedSynthesizer("ok", 100)], 16000);
        Assert.Throws<ArgumentOutOfRangeException>(() => renderer.Render(OneEventRecipe(1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => renderer.Render(OneEventRecipe(0, 16000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => renderer.Render(OneEventRecipe(0, 0) with { OutputPeak = 1.0 }));
        SyntheticClip clip = renderer.Render(OneEventRecipe(0, 15900)); // fits exactly at the end
        Assert.Equal(["ok"], clip.Labels);
        Assert.Equal(100, clip.Events[0].ActiveLength);
    }
}
