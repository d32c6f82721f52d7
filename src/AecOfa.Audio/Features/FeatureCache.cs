using System.IO.MemoryMappedFiles;
using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// A read-only, memory-mapped feature cache: log-mel (or any <see cref="IFeatureExtractor"/>) features of every
/// manifest clip, computed once by <see cref="FeatureCacheBuilder"/>. Feature spans point straight into the
/// mapping (no copies); they are valid until <see cref="Dispose"/>. Thread-safe for reading.
/// Use <see cref="OpenOrBuild"/>: it reuses the file when its key (extractor ConfigKey + manifest content +
/// clip length policy) matches and rebuilds it when the key changed or the file is damaged.
/// </summary>
public sealed unsafe class FeatureCache : IDisposable
{
    private readonly FeatureCacheHeader _header;
    private readonly FeatureCacheTables _tables;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private bool _disposed;

    private FeatureCache(string path, FeatureCacheHeader header, FeatureCacheTables tables, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        Path = path;
        _header = header;
        _tables = tables;
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
    }

    public string Path { get; }

    /// <summary>Hex SHA-256 key the cache was built for.</summary>
    public string KeyHex => Convert.ToHexString(_header.Key);

    public int ClipCount => _header.ClipCount;

    public int Bins => _header.Bins;

    public int ClassCount => _header.ClassCount;

    public int SampleRate => _header.SampleRate;

    /// <summary>Frames of every clip under a fixed length policy; 0 for variable length.</summary>
    public int FixedFrames => _header.FixedFrames;

    /// <summary>Distinct split names of the cached clips, in first-seen order.</summary>
    public IReadOnlyList<string> SplitNames => _tables.SplitNames;

    /// <summary>Manifest entries left out as unreadable when the cache was built (Skip policy).</summary>
    public IReadOnlyList<SkippedClip> Skipped => _tables.Skipped;

    public int FrameCount(int clip) => checked((int)(_tables.FrameOffsets[clip + 1] - _tables.FrameOffsets[clip]));

    /// <summary>Bins x FrameCount(clip) floats, bin-major, straight from the mapping.</summary>
    public ReadOnlySpan<float> Features(int clip)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)clip, (uint)ClipCount, nameof(clip));
        long offset = FeatureCacheHeader.DataOffset + _tables.FrameOffsets[clip] * Bins * sizeof(float);
        return new ReadOnlySpan<float>(_base + offset, FrameCount(clip) * Bins);
    }

    /// <summary>Class indices of the clip's labels.</summary>
    public ReadOnlySpan<int> LabelIndices(int clip) =>
        _tables.LabelIndices.AsSpan(_tables.LabelOffsets[clip], _tables.LabelOffsets[clip + 1] - _tables.LabelOffsets[clip]);

    /// <summary>Writes the clip's multi-hot target into <paramref name="destination"/> (length <see cref="ClassCount"/>).</summary>
    public void FillTarget(int clip, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, ClassCount, nameof(destination));
        ClassList.FillMultiHot(LabelIndices(clip), destination);
    }

    /// <summary>Index of the clip's entry in the manifest (differs from the clip index after skips).</summary>
    public int EntryIndex(int clip) => _tables.EntryIndex[clip];

    public string Split(int clip) => _tables.SplitNames[_tables.SplitIds[clip]];

    /// <summary>Clip indices whose split is <paramref name="split"/>, in order.</summary>
    public int[] ClipsOfSplit(string split)
    {
        int id = Array.IndexOf(_tables.SplitNames, split);
        if (id < 0)
            return [];
        var clips = new List<int>();
        for (int i = 0; i < ClipCount; i++)
            if (_tables.SplitIds[i] == id)
                clips.Add(i);
        return clips.ToArray();
    }

    /// <summary>Opens and validates a cache file; throws <see cref="FeatureCacheCorruptException"/> when it is damaged.</summary>
    public static FeatureCache Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        FeatureCacheHeader header;
        FeatureCacheTables tables;
        using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var headerBytes = new byte[FeatureCacheHeader.Size];
            int read = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
            header = FeatureCacheHeader.Read(headerBytes.AsSpan(0, read), stream.Length, full);
            if (header.MetadataLength > int.MaxValue)
                throw new FeatureCacheCorruptException(full, "metadata section too large");
            var metadata = new byte[header.MetadataLength];
            stream.Position = header.MetadataOffset;
            stream.ReadExactly(metadata);
            tables = FeatureCacheTables.Deserialize(metadata, header, full);
        }
        var file = MemoryMappedFile.CreateFromFile(full, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = file.CreateViewAccessor(0, header.TotalLength, MemoryMappedFileAccess.Read);
            return new FeatureCache(full, header, tables, file, view);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the cache at <paramref name="path"/> when it exists, is intact and was built for this manifest,
    /// extractor and length policy (and, under the Stop policy, skipped nothing); otherwise builds it first.
    /// </summary>
    public static FeatureCacheOpenResult OpenOrBuild(
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
        string key = Convert.ToHexString(FeatureCacheKey.Compute(loader.Manifest, extractor, options.EffectiveLength));
        string? reason = null;
        if (!File.Exists(path))
            reason = "no cache file";
        else
        {
            FeatureCache? cache = null;
            try
            {
                cache = Open(path);
                if (cache.KeyHex != key)
                    reason = "extractor config, manifest or clip length changed (key mismatch)";
                else if (loader.Policy == UnreadableFilePolicy.Stop && cache.Skipped.Count > 0)
                    reason = $"cache skipped {cache.Skipped.Count} unreadable clips but the policy is Stop";
                else
                    return new FeatureCacheOpenResult(cache, Built: false, BuildReason: null);
            }
            catch (FeatureCacheCorruptException e)
            {
                reason = e.Problem;
            }
            cache?.Dispose();
        }
        FeatureCacheBuilder.Build(path, loader, extractor, options, progress, cancellationToken);
        return new FeatureCacheOpenResult(Open(path), Built: true, BuildReason: reason);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
