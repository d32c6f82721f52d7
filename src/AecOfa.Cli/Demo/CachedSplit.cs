using AecOfa.Audio.Features;
using AecOfa.Engine;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Cli.Demo;

/// <summary>
/// One split of the memory-mapped feature cache, normalized, as the NAS library consumes it: training batches by
/// position (<see cref="ITrainingData"/>), a fixed subset of features for BN recalibration (<see cref="IFeatureBatches"/>:
/// the first clips of the split, always in the same order) and labeled evaluation batches (<see cref="ILabeledBatches"/>).
/// No augmentation: the Audio augmentation classes are not on main yet.
/// </summary>
internal sealed class CachedSplit : ITrainingData, IFeatureBatches, ILabeledBatches
{
    private readonly FeatureCache _cache;
    private readonly int[] _clips;
    private readonly MelNormalizer _normalizer;
    private readonly int _frames;

    public CachedSplit(FeatureCache cache, string split, MelNormalizer normalizer)
    {
        _cache = cache;
        _clips = cache.ClipsOfSplit(split);
        _normalizer = normalizer;
        _frames = cache.FixedFrames;
        if (_frames <= 0) throw new InvalidOperationException($"{cache.Path}: the demo needs a fixed-length feature cache.");
        Name = split;
    }

    public string Name { get; }

    public int Count => _clips.Length;

    public (Tensor Features, Tensor Targets) Batch(ReadOnlySpan<int> positions, Random augmentation) => Build(positions);

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
            _normalizer.Apply(_cache.Features(clip), _frames, x.Span.Slice(i * per, per));
            _cache.FillTarget(clip, y.Span.Slice(i * classes, classes));
        }
        return (x, y);
    }
}
