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
        var clipHashes = new List<ulong>(total);
        var nonFinite = new SkippedClip?[chunkSize];
        var ownSkips = new List<SkippedClip>();

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
                Array.Clear(nonFinite);
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, k =>
                {
                    try
                    {
                        features[k] = Extract(loader, perWorker?.Value ?? extractor, start + k, length, bins)!;
                        if (features[k] is { } f && FirstNonFinite(f) is { } bad)
                        {
                            // Never cache a NaN/Inf: stop naming the file and line, or skip it per the loader's policy.
                            var problem = new InvalidDataException(
                                $"its features contain a non-finite value ({f[bad]} at mel bin {bad / (f.Length / bins)}, frame {bad % (f.Length / bins)})");
                            string file = manifest.FullPath(start + k);
                            if (loader.Policy == UnreadableFilePolicy.Stop)
                                throw new ClipLoadException(start + k, file, problem, manifest.SourcePath, manifest.LineNumber(start + k));
                            nonFinite[k] = new SkippedClip(start + k, file, $"line {manifest.LineNumber(start + k)}: InvalidDataException: {problem.Message}");
                            features[k] = null!;
                        }
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
                        if (nonFinite[k] is { } own)
                            ownSkips.Add(own);
                        continue;
                    }
                    int frames = data.Length / bins;
                    if (fixedFrames > 0 && frames != fixedFrames)
                        throw new InvalidOperationException($"Extractor gave {frames} frames for a fixed-length clip, expected {fixedFrames}.");
                    stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                    clipHashes.Add(FeatureCache.ClipHash(data));
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
            skipped.AddRange(loader.Skipped.Concat(ownSkips).Where(s => skippedEntries.Contains(s.EntryIndex))
                .GroupBy(s => s.EntryIndex).Select(g => g.Last()).OrderBy(s => s.EntryIndex));
            var tables = new FeatureCacheTables(entryIndex.ToArray(), frameOffsets.ToArray(), labelOffsets.ToArray(),
                labelIndices.ToArray(), splitNames.ToArray(), splitIds.ToArray(), skipped.ToArray(), clipHashes.ToArray());
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

    /// <summary>Index of the first non-finite value, or null when all are finite.</summary>
    internal static int? FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return null;
    }

    /// <summary>
    /// Recomputes the features of the given manifest entries and writes them over their damaged data in place. Succeeds
    /// only when every recomputed clip has the stored length and checksum (the audio and extractor are unchanged);
    /// otherwise nothing is written and the caller rebuilds the whole cache.
    /// </summary>
    internal static bool TryRepair(string path, ManifestAudioLoader loader, IFeatureExtractor extractor, FeatureCacheOptions? options,
        int[] entries, long[] byteOffsets, int[] lengths, ulong[] hashes)
    {
        options ??= FeatureCacheOptions.Default;
        ClipLengthPolicy length = options.EffectiveLength;
        var fresh = new float[entries.Length][];
        for (int i = 0; i < entries.Length; i++)
        {
            float[]? data;
            try
            {
                data = Extract(loader, extractor, entries[i], length, extractor.Bins);
            }
            catch (IOException)
            {
                return false;
            }
            if (data is null || data.Length != lengths[i] || FeatureCache.ClipHash(data) != hashes[i])
                return false;
            fresh[i] = data;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        for (int i = 0; i < entries.Length; i++)
        {
            stream.Position = byteOffsets[i];
            stream.Write(MemoryMarshal.AsBytes(fresh[i].AsSpan()));
        }
        stream.Flush(flushToDisk: true);
        return true;
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
