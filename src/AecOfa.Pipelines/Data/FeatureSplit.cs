using AecOfa.Audio.Augmentation;
using AecOfa.Audio.Features;
using AecOfa.Engine;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Pipelines.Data;

/// <summary>
/// One split (or any fixed subset of clips) of the memory-mapped feature cache, normalized, as the NAS library consumes it: training batches by
/// position (<see cref="ITrainingData"/>, with optional SpecAugment and mixup drawn from the trainer's per-step
/// generator), a fixed subset of features for BN recalibration (<see cref="IFeatureBatches"/>: the first clips of the
/// split, always in the same order, never augmented) and labeled evaluation batches (<see cref="ILabeledBatches"/>).
/// </summary>
public sealed class FeatureSplit : ITrainingData, IFeatureBatches, ILabeledBatches
{
    private readonly FeatureCache _cache;
    private readonly int[] _clips;
    private readonly FeatureNormalizer _normalizer;
    private readonly SpecAugment? _specAugment;
    private readonly Mixup? _mixup;
    private readonly int _frames;

    public FeatureSplit(FeatureCache cache, string split, FeatureNormalizer normalizer, SpecAugment? specAugment = null, Mixup? mixup = null)
        : this(cache, split, cache.ClipsOfSplit(split), normalizer, specAugment, mixup)
    {
    }

    /// <summary>A named subset of the cache's clips (e.g. a validation split carved out of the training split).</summary>
    public FeatureSplit(FeatureCache cache, string name, int[] clips, FeatureNormalizer normalizer, SpecAugment? specAugment = null, Mixup? mixup = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(normalizer);
        _cache = cache;
        _clips = clips;
        _normalizer = normalizer;
        _specAugment = specAugment;
        _mixup = mixup;
        _frames = cache.FixedFrames;
        if (_frames <= 0) throw new InvalidOperationException($"{cache.Path}: training needs a fixed-length feature cache (a clip length in seconds).");
        Name = name;
    }

    public string Name { get; }

    public int Count => _clips.Length;

    /// <summary>The cache's clip indices of this split, in order.</summary>
    public IReadOnlyList<int> Clips => _clips;

    /// <summary>The cache this split reads.</summary>
    public FeatureCache Cache => _cache;

    /// <summary>The same clips with other augmentation (e.g. the training clips without it, for BN recalibration).</summary>
    public FeatureSplit WithAugmentation(SpecAugment? specAugment, Mixup? mixup) => new(_cache, Name, _clips, _normalizer, specAugment, mixup);

    public (Tensor Features, Tensor Targets) Batch(ReadOnlySpan<int> positions, Random augmentation)
    {
        var (x, y) = Build(positions);
        int per = _cache.Bins * _frames, classes = _cache.ClassCount, n = positions.Length;
        if (_mixup is not null)
        {
            // Each example is mixed with a random partner of the same (unmixed) batch.
            var x0 = x.Data.ToArray();
            var y0 = y.Data.ToArray();
            for (int i = 0; i < n; i++)
            {
                int j = augmentation.Next(n);
                _mixup.Mix(x0.AsSpan(i * per, per), x0.AsSpan(j * per, per), y0.AsSpan(i * classes, classes), y0.AsSpan(j * classes, classes),
                    x.Span.Slice(i * per, per), y.Span.Slice(i * classes, classes), augmentation);
            }
        }
        if (_specAugment is not null)
            for (int i = 0; i < n; i++) _specAugment.Apply(x.Span.Slice(i * per, per), _cache.Bins, augmentation);
        return (x, y);
    }

    public IEnumerable<Tensor> Batches(int clips, int batchSize)
    {
        int n = Math.Min(clips, _clips.Length);
        for (int start = 0; start < n; start += batchSize)
            yield return Build(Positions(start, Math.Min(batchSize, n - start))).Features;
    }

    public IEnumerable<(Tensor Features, Tensor Targets)> Batches(int batchSize)
    {
        for (int start = 0; start < _clips.Length; start += batchSize)
            yield return Build(Positions(start, Math.Min(batchSize, _clips.Length - start)));
    }

    private static int[] Positions(int start, int count) => Enumerable.Range(start, count).ToArray();

    private (Tensor Features, Tensor Targets) Build(ReadOnlySpan<int> positions)
    {
        int bins = _cache.Bins, classes = _cache.ClassCount, per = bins * _frames;
        var x = Tensor.Zeros(positions.Length, 1, bins, _frames);
        var y = Tensor.Zeros(positions.Length, classes);
        for (int i = 0; i < positions.Length; i++)
        {
            int clip = _clips[positions[i]];
            var destination = x.Span.Slice(i * per, per);
            _cache.Features(clip).CopyTo(destination);
            _normalizer.Apply(destination, bins);
            _cache.FillTarget(clip, y.Span.Slice(i * classes, classes));
        }
        return (x, y);
    }
}
