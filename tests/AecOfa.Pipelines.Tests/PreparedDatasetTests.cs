using AecOfa.Audio.Features;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;

namespace AecOfa.Pipelines.Tests;

public sealed class PreparedDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-prepared-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DatasetOptions Tiny = new() { MelBins = 16, ClipSeconds = 0.3 };

    private static FeatureNormalizer FitOn(FeatureCache cache, IEnumerable<int> clips)
    {
        var statistics = new FeatureStatistics(cache.Bins);
        foreach (int clip in clips) statistics.Add(cache.Features(clip), cache.Bins);
        return statistics.ToNormalizer();
    }

    private static int Label(PreparedDataset data, int clip) => data.Cache.LabelIndices(clip)[0];

    [Fact]
    public void Folder_tree_without_val_is_single_label_with_a_carved_stratified_validation_split()
    {
        string root = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 10);
        var log = new StringWriter();
        using var data = PreparedDataset.Open(root, Tiny, Path.Combine(_dir, "run"), log);

        Assert.Equal(TaskKind.SingleLabel, data.Task);
        Assert.Contains("task single-label (detected)", log.ToString());
        Assert.True(data.ValidationWasCarved);
        Assert.Contains("carved 6 of 30 training clips as validation", log.ToString()); // round(0.15 x 10) = 2 per class
        Assert.Equal(24, data.Train.Count);
        Assert.Equal(6, data.Validation.Count);
        Assert.Equal(0, data.Test.Count);
        Assert.Empty(data.Train.Clips.Intersect(data.Validation.Clips));
        Assert.Equal(Enumerable.Range(0, 30), data.Train.Clips.Concat(data.Validation.Clips).Order());
        Assert.All(data.Validation.Clips.GroupBy(c => Label(data, c)), g => Assert.Equal(2, g.Count()));
        Assert.Equal(3, data.Validation.Clips.Select(c => Label(data, c)).Distinct().Count());
        Assert.Equal((16, 3), (data.MelBins, data.Classes));

        // Deterministic: reopening (cache reused) gives the same splits, recalibration order and identity.
        using var again = PreparedDataset.Open(root, Tiny, Path.Combine(_dir, "run"));
        Assert.Equal(data.Validation.Clips, again.Validation.Clips);
        Assert.Equal(data.Recalibration.Clips, again.Recalibration.Clips);
        Assert.Equal(data.Identity, again.Identity);
        // Another split seed carves other clips, and the data identity says so.
        using var reseeded = PreparedDataset.Open(root, Tiny with { SplitSeed = 5 }, Path.Combine(_dir, "run"));
        Assert.NotEqual(data.Validation.Clips, reseeded.Validation.Clips);
        Assert.NotEqual(data.Identity, reseeded.Identity);
    }

    [Fact]
    public void Recalibration_subset_is_the_training_clips_shuffled_not_in_manifest_order()
    {
        string root = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 10); // manifest sorted by class
        using var data = PreparedDataset.Open(root, Tiny, Path.Combine(_dir, "run"));
        var train = data.Train.Clips.ToArray();
        var recalibration = data.Recalibration.Clips.ToArray();
        Assert.Equal(train.Order(), recalibration.Order()); // the same clips (train only, no validation clip)
        Assert.NotEqual(train, recalibration);
        Assert.Empty(recalibration.Intersect(data.Validation.Clips));
        // The first clips a small recalibration reads cover every class, not just the first class of the manifest.
        Assert.Equal(3, recalibration.Take(8).Select(c => Label(data, c)).Distinct().Count());
        Assert.Single(train.Take(8).Select(c => Label(data, c)).Distinct()); // (manifest order would be one class)
        // And the recalibration batches are the features of those clips, in that order, never augmented.
        var first = data.Recalibration.Batches(2, 2).Single();
        var expected = data.Train.Batch([Array.IndexOf(train, recalibration[0]), Array.IndexOf(train, recalibration[1])], new Random(0)).Features;
        Assert.Equal(expected.Data, first.Data);
    }

    [Fact]
    public void Multi_label_manifest_with_val_and_test_is_detected_and_normalization_is_fitted_on_train_only()
    {
        string root = TinyDatasets.MultiLabel(Path.Combine(_dir, "multi"));
        var log = new StringWriter();
        using var data = PreparedDataset.Open(root, Tiny, Path.Combine(_dir, "run"), log);
        Assert.Equal(TaskKind.MultiLabel, data.Task);
        Assert.False(data.ValidationWasCarved);
        Assert.Equal((12, 4, 4), (data.Train.Count, data.Validation.Count, data.Test.Count));

        var trainOnly = FitOn(data.Cache, data.Train.Clips);
        var everything = FitOn(data.Cache, Enumerable.Range(0, data.Cache.ClipCount));
        Assert.Equal(trainOnly.Mean.ToArray(), data.Normalizer.Mean.ToArray());
        Assert.Equal(trainOnly.Std.ToArray(), data.Normalizer.Std.ToArray());
        Assert.True(data.Normalizer.Mean.ToArray().Zip(everything.Mean.ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 0.1,
            "the louder val/test clips would have moved the means"); // so the check above can fail

        // Normalized training features: per bin mean 0 over the training clips.
        var (x, _) = data.Train.Batch(Enumerable.Range(0, data.Train.Count).ToArray(), new Random(0));
        Assert.True(Math.Abs(x.Data.Average()) < 1e-3, $"mean of normalized training features {x.Data.Average()}");

        // The task can be forced; a multi-label manifest forced to single-label is then refused by the trainer.
        using var forced = PreparedDataset.Open(root, Tiny with { Task = TaskKind.SingleLabel }, Path.Combine(_dir, "run"));
        Assert.Equal(TaskKind.SingleLabel, forced.Task);
        Assert.NotEqual(data.Identity, forced.Identity);
    }

    [Fact]
    public void Carved_validation_clips_are_left_out_of_the_normalization_too()
    {
        string root = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 10);
        using var data = PreparedDataset.Open(root, Tiny, Path.Combine(_dir, "run"));
        var trainOnly = FitOn(data.Cache, data.Train.Clips);
        var withValidation = FitOn(data.Cache, data.Train.Clips.Concat(data.Validation.Clips));
        Assert.Equal(trainOnly.Mean.ToArray(), data.Normalizer.Mean.ToArray());
        Assert.NotEqual(withValidation.Mean.ToArray(), data.Normalizer.Mean.ToArray());
    }
}
