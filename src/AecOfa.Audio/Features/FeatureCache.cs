using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// A read-only, memory-mapped feature cache: log-mel (or any <see cref="IFeatureExtractor"/>) features of every
/// manifest clip, computed once by <see cref="FeatureCacheBuilder"/>. Feature spans point straight into the
/// mapping (no copies); they are valid until <see cref="Dispose"/>. Thread-safe for reading.
/// Use <see cref="OpenOrBuild"/>: it reuses the file when its key (extractor ConfigKey + manifest content +
/// clip length policy) matches and rebuilds it when the key changed or the file is damaged.
/// Integrity: every clip's float data carries a 64-bit XxHash3 (in the SHA-256-protected tables). <see cref="Open"/>
/// verifies all of them, and <see cref="Features"/> re-verifies a clip on every read (a few microseconds per clip:
/// an epoch re-checks what it trains on); <see cref="OpenOrBuild"/> recomputes only the clips whose data is damaged.
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

    /// <summary>Whether <see cref="Features"/> verifies the clip's checksum on every read (default true).</summary>
    public bool VerifyOnRead { get; set; } = true;

    /// <summary>Bins x FrameCount(clip) floats, bin-major, straight from the mapping. Throws
    /// <see cref="FeatureCacheCorruptException"/> naming the file and clip when the data fails its checksum.</summary>
    public ReadOnlySpan<float> Features(int clip)
    {
        var data = RawFeatures(clip);
        if (VerifyOnRead && !ClipIntact(clip, data))
            throw new FeatureCacheCorruptException(Path, $"feature data of {DescribeClips([clip])} fails its checksum (changed after the cache was opened)", [clip]);
        return data;
    }

    private ReadOnlySpan<float> RawFeatures(int clip)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)clip, (uint)ClipCount, nameof(clip));
        long offset = FeatureCacheHeader.DataOffset + _tables.FrameOffsets[clip] * Bins * sizeof(float);
        return new ReadOnlySpan<float>(_base + offset, FrameCount(clip) * Bins);
    }

    /// <summary>The checksum of a clip's float data as stored in the cache.</summary>
    internal static ulong ClipHash(ReadOnlySpan<float> data) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(data));

    private bool ClipIntact(int clip, ReadOnlySpan<float> data) => ClipHash(data) == _tables.ClipHashes[clip];

    /// <summary>Clips whose float data fails its checksum, in order (empty when the data is intact).</summary>
    public int[] FindCorruptClips()
    {
        var corrupt = new List<int>();
        for (int clip = 0; clip < ClipCount; clip++)
            if (!ClipIntact(clip, RawFeatures(clip)))
                corrupt.Add(clip);
        return corrupt.ToArray();
    }

    /// <summary>"clip 3 (manifest entry 5)", or with the manifest at hand "clip 3 ('a/x.wav', manifest.csv:7)".</summary>
    private string DescribeClips(IReadOnlyList<int> clips, Manifest? manifest = null)
    {
        string One(int c) => manifest is not null && EntryIndex(c) < manifest.Count
            ? $"clip {c} ('{manifest.Entries[EntryIndex(c)].Path}', {manifest.SourcePath}:{manifest.LineNumber(EntryIndex(c))})"
            : $"clip {c} (manifest entry {EntryIndex(c)})";
        string list = string.Join(", ", clips.Take(5).Select(One));
        return clips.Count > 5 ? $"{clips.Count} clips: {list}, ..." : list;
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

    /// <summary>Opens and validates a cache file, every clip's checksum included; throws
    /// <see cref="FeatureCacheCorruptException"/> (naming the file and the damaged clips) when it is damaged.</summary>
    public static FeatureCache Open(string path)
    {
        var cache = OpenUnverified(path);
        int[] corrupt = cache.FindCorruptClips();
        if (corrupt.Length == 0)
            return cache;
        string problem = $"feature data of {cache.DescribeClips(corrupt)} fails its checksum";
        string file = cache.Path;
        cache.Dispose();
        throw new FeatureCacheCorruptException(file, problem, corrupt);
    }

    /// <summary>Opens with the structure validated but the float data not yet checked.</summary>
    private static FeatureCache OpenUnverified(string path)
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
                cache = OpenUnverified(path);
                if (cache.KeyHex != key)
                    reason = "extractor config, manifest or clip length changed (key mismatch)";
                else if (loader.Policy == UnreadableFilePolicy.Stop && cache.Skipped.Count > 0)
                    reason = $"cache skipped {cache.Skipped.Count} unreadable clips but the policy is Stop";
                else
                {
                    int[] corrupt = cache.FindCorruptClips();
                    if (corrupt.Length == 0)
                        return new FeatureCacheOpenResult(cache, Built: false, BuildReason: null);
                    string described = cache.DescribeClips(corrupt, loader.Manifest);
                    var entries = corrupt.Select(cache.EntryIndex).ToArray();
                    var offsets = corrupt.Select(c => FeatureCacheHeader.DataOffset + cache._tables.FrameOffsets[c] * cache.Bins * sizeof(float)).ToArray();
                    var hashes = corrupt.Select(c => cache._tables.ClipHashes[c]).ToArray();
                    var lengths = corrupt.Select(c => cache.FrameCount(c) * cache.Bins).ToArray();
                    // Recompute in place when at most half the clips are damaged; otherwise a parallel rebuild is as cheap.
                    bool repairable = corrupt.Length * 2 <= cache.ClipCount;
                    cache.Dispose();
                    cache = null;
                    if (repairable && FeatureCacheBuilder.TryRepair(path, loader, extractor, options, entries, offsets, lengths, hashes))
                        return new FeatureCacheOpenResult(Open(path), Built: false, BuildReason: $"recomputed damaged {described}") { RepairedClips = corrupt };
                    reason = $"feature data of {described} fails its checksum" + (repairable ? " and could not be recomputed in place" : "");
                }
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
