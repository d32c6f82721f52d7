using System.Buffers.Binary;

namespace AecOfa.Audio.Features;

/// <summary>
/// The fixed 256-byte header of a feature cache file (little-endian). File layout:
/// <code>
/// [0, 256)                      header (this struct)
/// [DataOffset, +DataLength)     float32 features, clip after clip, each Bins x Frames (bin-major)
/// [MetadataOffset, +Length)     tables: entry index per clip, frame offsets, label offsets + indices,
///                               split names + split id per clip, skipped clips, XxHash3 of each clip's
///                               data, then SHA-256 of the tables
/// </code>
/// Data comes first so the build can stream features in order without knowing the final clip count.
/// </summary>
internal readonly record struct FeatureCacheHeader(
    byte[] Key,
    int ClipCount,
    int Bins,
    int ClassCount,
    int FixedFrames,
    int SampleRate,
    long DataLength,
    long MetadataOffset,
    long MetadataLength)
{
    public const int Size = 256;
    public const int CurrentVersion = 2;
    public const long DataOffset = Size;
    public static ReadOnlySpan<byte> Magic => "AECOFAFC"u8;

    public long TotalLength => MetadataOffset + MetadataLength;

    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], CurrentVersion);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Size);
        Key.CopyTo(destination[16..48]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[48..], ClipCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[52..], Bins);
        BinaryPrimitives.WriteInt32LittleEndian(destination[56..], ClassCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[60..], FixedFrames);
        BinaryPrimitives.WriteInt32LittleEndian(destination[64..], SampleRate);
        BinaryPrimitives.WriteInt64LittleEndian(destination[72..], DataOffset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[80..], DataLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[88..], MetadataOffset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[96..], MetadataLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[104..], TotalLength);
    }

    /// <summary>Parses and checks the header against the actual file length.</summary>
    public static FeatureCacheHeader Read(ReadOnlySpan<byte> source, long fileLength, string path)
    {
        if (source.Length < Size || fileLength < Size)
            throw new FeatureCacheCorruptException(path, $"file is {fileLength} bytes, shorter than the {Size}-byte header");
        if (!source[..8].SequenceEqual(Magic))
            throw new FeatureCacheCorruptException(path, "bad magic (not a feature cache file)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        if (version != CurrentVersion)
            throw new FeatureCacheCorruptException(path, $"format version {version}, this build reads version {CurrentVersion}");
        if (BinaryPrimitives.ReadInt32LittleEndian(source[12..]) != Size
            || BinaryPrimitives.ReadInt64LittleEndian(source[72..]) != DataOffset)
            throw new FeatureCacheCorruptException(path, "unexpected header size or data offset");
        var header = new FeatureCacheHeader(
            source[16..48].ToArray(),
            BinaryPrimitives.ReadInt32LittleEndian(source[48..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[52..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[56..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[60..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[64..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[80..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[88..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[96..]));
        long recordedTotal = BinaryPrimitives.ReadInt64LittleEndian(source[104..]);
        if (header.ClipCount < 0 || header.Bins <= 0 || header.ClassCount < 0 || header.FixedFrames < 0 || header.SampleRate <= 0
            || header.DataLength < 0 || header.DataLength % sizeof(float) != 0 || header.MetadataLength < 32
            || header.MetadataOffset != DataOffset + header.DataLength || recordedTotal != header.TotalLength)
            throw new FeatureCacheCorruptException(path, "inconsistent header fields");
        if (fileLength != header.TotalLength)
            throw new FeatureCacheCorruptException(path, $"file is {fileLength} bytes, header says {header.TotalLength} (truncated or appended)");
        return header;
    }
}
