using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.IO;

namespace AecOfa.Audio.Features;

/// <summary>
/// Computes features for every manifest clip once and writes the cache file atomically (temp + rename).
/// Clips are processed in chunks: inside a chunk, clips are loaded and extracted in parallel on all cores;
/// chunks are then written strictly in manifest order, so the file is byte-identical for any worker count.
/// </summary>
public static class FeatureCacheBuilder
{
    /// <summary>
    /// Builds the cache at <paramref name="path"/> for <paramref name="loader"/>'s manifest. Reports (done, total)
    /// clips after each chunk. Unreadable clips stop the build or are skipped per the loader's
    /// <see cref="ManifestAudioLoader.Policy"/>. Returns the clips skipped.
    /// </summary>
    public static IReadOnlyList<SkippedClip> Build(
        string path,
        ManifestAudioLoader loader,
        IFeatureExtractor extractor,
        FeatureCacheOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(extractor);
        options ??= FeatureCacheOptions.Default;
        if (loader.SampleRate != extractor.SampleRate)
            throw new ArgumentException($"Loader produces {loader.SampleRate} Hz but the extractor expects {extractor.SampleRate} Hz.", nameof(loader));

        Manifest manifest = loader.Manifest;
        ClipLengthPolicy length = options.EffectiveLength;
        byte[] key = FeatureCacheKey.Compute(manifest, extractor, length);
        int bins = extractor.Bins;
        int fixedFrames = length.SampleCount(extractor.SampleRate) is { } n ? extractor.FrameCount(n) : 0;
        using var perWorker = options.ExtractorPerWorker is { } factory
            ? new ThreadLocal<IFeatureExtractor>(() => CheckedWorkerExtractor(factory(), extractor))
            : null;

        int total = manifest.Count;
        int workers = options.Workers;
        int chunkSize = Math.Max(16, workers * 8);
        var entryIndex = new List<int>(total);
        var frameOffsets = new List<long>(total + 1) { 0 };
        var labelOffsets = new List<int>(total + 1) { 0 };
        var labelIndices = new List<int>();
        var splitNames = new List<string>();
        var splitIds = new List<int>(total);
        var skipped = new List<SkippedClip>();
        var skippedEntries = new HashSet<int>();

        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[FeatureCacheHeader.Size]);
            var features = new float[chunkSize][];
            var errors = new Exception?[chunkSize];
            for (int start = 0; start < total; start += chunkSize)
            {
                int count = Math.Min(chunkSize, total - start);
                Array.Clear(features);
                Array.Clear(errors);
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, k =>
                {
                    try
                    {
                        features[k] = Extract(loader, perWorker?.Value ?? extractor, start + k, length, bins)!;
                    }
                    catch (Exception e)
                    {
                        errors[k] = e;
                    }
                });
                for (int k = 0; k < count; k++)
                    if (errors[k] is { } error)
                        ExceptionDispatchInfo.Capture(error).Throw(); // first failure in manifest order

                for (int k = 0; k < count; k++)
                {
                    int entry = start + k;
                    if (features[k] is not { } data)
                    {
                        skippedEntries.Add(entry); // unreadable, skipped by the loader's policy
                        continue;
                    }
                    int frames = data.Length / bins;
                    if (fixedFrames > 0 && frames != fixedFrames)
                        throw new InvalidOperationException($"Extractor gave {frames} frames for a fixed-length clip, expected {fixedFrames}.");
                    stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                    entryIndex.Add(entry);
                    frameOffsets.Add(frameOffsets[^1] + frames);
                    labelIndices.AddRange(manifest.LabelIndices(entry));
                    labelOffsets.Add(labelIndices.Count);
                    string split = manifest.Entries[entry].Split;
                    int id = splitNames.IndexOf(split);
                    if (id < 0)
                    {
                        id = splitNames.Count;
                        splitNames.Add(split);
                    }
                    splitIds.Add(id);
                }
                progress?.Report((start + count, total));
            }

            // The loader may have seen these entries before; keep its latest record per skipped entry.
            skipped.AddRange(loader.Skipped.Where(s => skippedEntries.Contains(s.EntryIndex))
                .GroupBy(s => s.EntryIndex).Select(g => g.Last()).OrderBy(s => s.EntryIndex));
            var tables = new FeatureCacheTables(entryIndex.ToArray(), frameOffsets.ToArray(), labelOffsets.ToArray(),
                labelIndices.ToArray(), splitNames.ToArray(), splitIds.ToArray(), skipped.ToArray());
            byte[] metadata = tables.Serialize();
            long dataLength = stream.Position - FeatureCacheHeader.DataOffset;
            stream.Write(metadata);
            var header = new FeatureCacheHeader(key, entryIndex.Count, bins, manifest.Classes.Count, fixedFrames,
                extractor.SampleRate, dataLength, FeatureCacheHeader.DataOffset + dataLength, metadata.Length);
            var headerBytes = new byte[FeatureCacheHeader.Size];
            header.Write(headerBytes);
            stream.Position = 0;
            stream.Write(headerBytes);
        });
        return skipped;
    }

    /// <summary>Features (Bins x Frames) of one entry after the length policy, or null when skipped.</summary>
    private static float[]? Extract(ManifestAudioLoader loader, IFeatureExtractor extractor, int entry, ClipLengthPolicy length, int bins)
    {
        if (loader.TryLoad(entry) is not { } clip)
            return null;
        float[] samples = length.Apply(clip.Samples, clip.SampleRate);
        var data = new float[checked(bins * extractor.FrameCount(samples.Length))];
        extractor.Extract(samples, data);
        return data;
    }

    private static IFeatureExtractor CheckedWorkerExtractor(IFeatureExtractor worker, IFeatureExtractor reference) =>
        worker.ConfigKey == reference.ConfigKey && worker.SampleRate == reference.SampleRate && worker.Bins == reference.Bins
            ? worker
            : throw new InvalidOperationException($"A per-worker extractor has ConfigKey '{worker.ConfigKey}', expected '{reference.ConfigKey}'.");
}
