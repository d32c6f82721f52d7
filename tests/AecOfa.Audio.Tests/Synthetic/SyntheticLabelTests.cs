using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Events;
using AecOfa.Audio.Synthetic.Mixing;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticLabelTests
{
    [Fact]
    public void CatalogHasAtLeastTenDistinctHouseholdClasses()
    {
        var names = EventCatalog.CreateDefault().Select(s => s.Name).ToArray();
        Assert.True(names.Length >= 10, $"{names.Length} classes");
        Assert.Equal(names.Length, names.Distinct().Count());
        foreach (string expected in new[] { "smoke_alarm", "appliance_beep", "phone_ring", "doorbell", "knock", "glass_break", "dog_bark", "baby_cry", "siren", "running_water", "footsteps" })
            Assert.Contains(expected, names);
        Assert.Equal(names, new SyntheticEventsDataset().ClassNames);
    }

    [Fact]
    public void EverySynthesizerMakesFiniteSoundThatStartsAtOnceAndFitsTheLimit()
    {
        foreach (IEventSynthesizer synthesizer in EventCatalog.CreateDefault())
        {
            foreach ((int sampleRate, int maxSamples) in new[] { (16000, 24000), (16000, 2400), (22050, 44100) })
            {
                for (int seed = 0; seed < 4; seed++)
                {
                    float[] y = synthesizer.Generate(new Random(seed), sampleRate, maxSamples);
                    string where = $"{synthesizer.Name} seed {seed} at {sampleRate} Hz, max {maxSamples}";
                    Assert.InRange(y.Length, 1, maxSamples);
                    Assert.All(y, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 20, where));
                    // Sound within the first 20 ms: the mixer's onset is the event's onset.
                    int head = Math.Min(y.Length, sampleRate / 50);
                    Assert.True(SyntheticSignalProbe.Energy(y.AsSpan(0, head)) > 1e-8, $"{where}: silent first 20 ms");
                }
            }
        }
    }

    [Fact]
    public void SynthesizersRandomizeTheirOutput()
    {
        foreach (IEventSynthesizer synthesizer in EventCatalog.CreateDefault())
        {
            float[] a = synthesizer.Generate(new Random(1), 16000, 24000);
            float[] b = synthesizer.Generate(new Random(2), 16000, 24000);
            Assert.False(a.AsSpan().SequenceEqual(b), $"{synthesizer.Name}: two seeds gave the same sound");
            Assert.Equal(a, synthesizer.Generate(new Random(1), 16000, 24000));
        }
    }

    [Fact]
    public void LabelsListExactlyTheMixedClassesAndEveryClassAppears()
    {
        var dataset = new SyntheticEventsDataset(new SyntheticEventsOptions { Seed = 3, TrainClips = 40, ClipSeconds = 1.0 });
        var seen = new HashSet<string>();
        int empty = 0;
        for (int i = 0; i < dataset.Count(DatasetSplit.Train); i++)
        {
            SyntheticClip clip = dataset.GetDetailed(DatasetSplit.Train, i);
            string[] mixed = clip.Events.Select(e => e.ClassName).Distinct().OrderBy(n => dataset.ClassNames.ToList().IndexOf(n)).ToArray();
            Assert.Equal(mixed, clip.Labels);
            Assert.Equal(clip.Events.Count, mixed.Length); // distinct classes per clip
            Assert.InRange(clip.Events.Count, 0, 3);
            foreach (RenderedEvent e in clip.Events)
            {
                Assert.Equal(dataset.ClassNames[e.ClassIndex], e.ClassName);
                Assert.True(SyntheticSignalProbe.Energy(e.Signal.AsSpan(0, e.ActiveLength)) > 0, $"clip {i}: {e.ClassName} is silent");
                Assert.True(e.Onset + e.Signal.Length <= clip.Audio.Samples.Length);
            }
            if (clip.Labels.Length == 0) empty++;
            seen.UnionWith(clip.Labels);
        }
        Assert.Equal(dataset.ClassNames.OrderBy(n => n), seen.OrderBy(n => n));
        Assert.True(empty < 15, $"{empty} of 40 clips without events");
    }

    [Fact]
    public void RecipesOnlyCutEventsAtTheClipEnd()
    {
        var options = new SyntheticEventsOptions { Seed = 9, TrainClips = 300 };
        var dataset = new SyntheticEventsDataset(options);
        int latest = options.ClipSamples - (int)Math.Round(ClipRecipeSampler.MinVisibleSeconds * options.SampleRate);
        var counts = new int[4];
        for (int i = 0; i < 300; i++)
        {
            ClipRecipe recipe = dataset.GetRecipe(DatasetSplit.Train, i);
            counts[recipe.Events.Count]++;
            Assert.All(recipe.Events, e => Assert.InRange(e.Onset, 0, latest));
            Assert.All(recipe.Events, e => Assert.InRange(e.SnrDb, -5, 20));
            Assert.InRange(recipe.Room.Rt60Seconds, 0.1, 0.8);
        }
        Assert.All(counts, c => Assert.True(c > 0, string.Join(",", counts))); // 0, 1, 2 and 3 events all occur
    }
}
