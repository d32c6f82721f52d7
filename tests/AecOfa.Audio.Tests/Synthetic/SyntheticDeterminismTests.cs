using AecOfa.Audio.Synthetic;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticDeterminismTests
{
    private static readonly SyntheticEventsOptions Small = new() { Seed = 77, TrainClips = 6, ValidationClips = 3, TestClips = 3 };

    [Fact]
    public void SameSeedGivesBitwiseIdenticalAudioAndLabels()
    {
        var a = new SyntheticEventsDataset(Small);
        var b = new SyntheticEventsDataset(Small);
        foreach (DatasetSplit split in Enum.GetValues<DatasetSplit>())
        {
            for (int i = 0; i < a.Count(split); i++)
            {
                var (clipA, labelsA) = a.Get(split, i);
                var (clipB, labelsB) = b.Get(split, i);
                Assert.Equal(clipA.SampleRate, clipB.SampleRate);
                Assert.Equal(clipA.Samples, clipB.Samples); // exact float equality
                Assert.Equal(labelsA, labelsB);
            }
        }
    }

    [Fact]
    public void ParallelOutOfOrderGenerationEqualsSerial()
    {
        var dataset = new SyntheticEventsDataset(Small);
        int n = dataset.Count(DatasetSplit.Train);
        var serial = Enumerable.Range(0, n).Select(i => dataset.Get(DatasetSplit.Train, i).Clip.Samples).ToArray();
        var parallel = new float[n][];
        // Reverse order on 4 workers: different threads and interleavings than the serial pass.
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            int i = n - 1 - k;
            parallel[i] = dataset.Get(DatasetSplit.Train, i).Clip.Samples;
        });
        for (int i = 0; i < n; i++) Assert.Equal(serial[i], parallel[i]);
    }

    [Fact]
    public void EnumerateEqualsRandomAccess()
    {
        var dataset = new SyntheticEventsDataset(Small);
        int i = 0;
        foreach (var (clip, labels) in dataset.Enumerate(DatasetSplit.Test))
        {
            var (direct, directLabels) = dataset.Get(DatasetSplit.Test, i++);
            Assert.Equal(direct.Samples, clip.Samples);
            Assert.Equal(directLabels, labels);
        }
        Assert.Equal(dataset.Count(DatasetSplit.Test), i);
    }

    [Fact]
    public void DifferentDatasetSeedsGiveDifferentClips()
    {
        var a = new SyntheticEventsDataset(Small);
        var b = new SyntheticEventsDataset(Small with { Seed = 78 });
        Assert.NotEqual(a.Get(DatasetSplit.Train, 0).Clip.Samples, b.Get(DatasetSplit.Train, 0).Clip.Samples);
    }

    [Fact]
    public void ClipSeedsAreNonNegativeAndDistinctAcrossSplitsAndIndices()
    {
        foreach (int datasetSeed in new[] { 0, 1234, -5, int.MaxValue })
        {
            var seen = new HashSet<int>();
            foreach (DatasetSplit split in Enum.GetValues<DatasetSplit>())
            {
                for (int i = 0; i < 20000; i++)
                {
                    int seed = ClipSeeds.For(datasetSeed, split, i);
                    Assert.True(seed >= 0, $"seed {seed} for ({datasetSeed}, {split}, {i}) is negative");
                    Assert.True(seen.Add(seed), $"seed {seed} repeated at ({datasetSeed}, {split}, {i})");
                }
            }
        }
    }

    [Fact]
    public void ClipSeedsRejectOutOfRangeIndex()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ClipSeeds.For(1, DatasetSplit.Train, ClipSeeds.MaxClipsPerSplit));
        Assert.Equal("index", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipSeeds.For(1, DatasetSplit.Train, -1));
    }
}
