using AecOfa.Audio.Synthetic;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticSplitTests
{
    [Fact]
    public void NoClipAppearsInTwoSplitsOrTwice()
    {
        var dataset = new SyntheticEventsDataset(new SyntheticEventsOptions { Seed = 5, TrainClips = 12, ValidationClips = 8, TestClips = 8, ClipSeconds = 1.0 });
        var owner = new Dictionary<string, string>();
        foreach (DatasetSplit split in Enum.GetValues<DatasetSplit>())
        {
            for (int i = 0; i < dataset.Count(split); i++)
            {
                string hash = SyntheticSignalProbe.Hash(dataset.Get(split, i).Clip.Samples);
                Assert.True(owner.TryAdd(hash, $"{split}/{i}"), $"{split}/{i} duplicates {owner.GetValueOrDefault(hash)}");
            }
        }
    }

    [Fact]
    public void SplitsHaveTheirConfiguredSizesAndRejectIndicesBeyond()
    {
        var dataset = new SyntheticEventsDataset(new SyntheticEventsOptions { TrainClips = 3, ValidationClips = 2, TestClips = 1 });
        Assert.Equal(3, dataset.Count(DatasetSplit.Train));
        Assert.Equal(2, dataset.Count(DatasetSplit.Validation));
        Assert.Equal(1, dataset.Count(DatasetSplit.Test));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Get(DatasetSplit.Validation, 2));
        Assert.Equal("index", ex.ParamName);
        Assert.Equal("val", DatasetSplit.Validation.ManifestName());
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticEventsDataset(new SyntheticEventsOptions { ClipSeconds = 9 }));
        Assert.Equal(nameof(SyntheticEventsOptions.ClipSeconds), ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticEventsDataset(new SyntheticEventsOptions { MinSnrDb = 10, MaxSnrDb = 0 }));
        Assert.Contains("MinSnrDb", ex.ParamName);
    }
}
