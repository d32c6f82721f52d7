using System.Security.Cryptography;
using System.Text;
using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// The per-clip tables stored after the feature data: manifest entry index, frame offsets (in frames, length
/// clips + 1), labels as CSR (offsets + class indices), split id per clip with the split names, and the clips
/// skipped as unreadable, and a 64-bit XxHash3 of every clip's float data (the data's block checksums: a damaged
/// block names the clips to recompute). Followed by a SHA-256 of the tables so a damaged tail is detected on open.
/// </summary>
internal sealed record FeatureCacheTables(
    int[] EntryIndex,
    long[] FrameOffsets,
    int[] LabelOffsets,
    int[] LabelIndices,
    string[] SplitNames,
    int[] SplitIds,
    SkippedClip[] Skipped,
    ulong[] ClipHashes)
{
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteInts(w, EntryIndex);
            w.Write(FrameOffsets.Length);
            foreach (long offset in FrameOffsets)
                w.Write(offset);
            WriteInts(w, LabelOffsets);
            WriteInts(w, LabelIndices);
            w.Write(SplitNames.Length);
            foreach (string name in SplitNames)
                w.Write(name);
            WriteInts(w, SplitIds);
            w.Write(Skipped.Length);
            foreach (SkippedClip s in Skipped)
            {
                w.Write(s.EntryIndex);
                w.Write(s.Path);
                w.Write(s.Reason);
            }
            w.Write(ClipHashes.Length);
            foreach (ulong h in ClipHashes)
                w.Write(h);
        }
        byte[] body = buffer.ToArray();
        byte[] result = new byte[body.Length + 32];
        body.CopyTo(result, 0);
        SHA256.HashData(body, result.AsSpan(body.Length));
        return result;
    }

    /// <summary>Parses and validates the tables against the header (bounds, monotonic offsets, data size).</summary>
    public static FeatureCacheTables Deserialize(byte[] bytes, FeatureCacheHeader header, string path)
    {
        if (bytes.Length < 32)
            throw new FeatureCacheCorruptException(path, "metadata section too short");
        ReadOnlySpan<byte> body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new FeatureCacheCorruptException(path, "metadata checksum mismatch");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            int n = header.ClipCount;
            int[] entryIndex = ReadInts(r, n, path, "entry index");
            int frameCount = r.ReadInt32();
            if (frameCount != n + 1)
                throw new FeatureCacheCorruptException(path, "frame offset table has the wrong length");
            var frameOffsets = new long[n + 1];
            for (int i = 0; i <= n; i++)
                frameOffsets[i] = r.ReadInt64();
            int[] labelOffsets = ReadInts(r, n + 1, path, "label offsets");
            int[] labelIndices = ReadInts(r, -1, path, "label indices");
            int splitCount = r.ReadInt32();
            if (splitCount < 0 || splitCount > n + 1)
                throw new FeatureCacheCorruptException(path, "bad split name count");
            var splitNames = new string[splitCount];
            for (int i = 0; i < splitCount; i++)
                splitNames[i] = r.ReadString();
            int[] splitIds = ReadInts(r, n, path, "split ids");
            int skippedCount = r.ReadInt32();
            if (skippedCount < 0)
                throw new FeatureCacheCorruptException(path, "bad skipped count");
            var skipped = new SkippedClip[skippedCount];
            for (int i = 0; i < skippedCount; i++)
                skipped[i] = new SkippedClip(r.ReadInt32(), r.ReadString(), r.ReadString());
            if (r.ReadInt32() != n)
                throw new FeatureCacheCorruptException(path, "clip checksum table has the wrong length");
            var hashes = new ulong[n];
            for (int i = 0; i < n; i++)
                hashes[i] = r.ReadUInt64();
            if (r.BaseStream.Position != r.BaseStream.Length)
                throw new FeatureCacheCorruptException(path, "metadata section has trailing bytes");
            var tables = new FeatureCacheTables(entryIndex, frameOffsets, labelOffsets, labelIndices, splitNames, splitIds, skipped, hashes);
            tables.Validate(header, path);
            return tables;
        }
        catch (EndOfStreamException)
        {
            throw new FeatureCacheCorruptException(path, "metadata section ends early");
        }
    }

    private void Validate(FeatureCacheHeader header, string path)
    {
        int n = header.ClipCount;
        if (FrameOffsets[0] != 0 || LabelOffsets[0] != 0 || LabelOffsets[n] != LabelIndices.Length)
            throw new FeatureCacheCorruptException(path, "offset tables do not start at 0 or end at their data");
        for (int i = 0; i < n; i++)
        {
            long frames = FrameOffsets[i + 1] - FrameOffsets[i];
            if (frames < 0 || frames > int.MaxValue / header.Bins || (header.FixedFrames > 0 && frames != header.FixedFrames))
                throw new FeatureCacheCorruptException(path, $"clip {i} has an invalid frame count {frames}");
            if (LabelOffsets[i + 1] < LabelOffsets[i] || (uint)SplitIds[i] >= (uint)SplitNames.Length || EntryIndex[i] < 0)
                throw new FeatureCacheCorruptException(path, $"clip {i} has invalid label offsets, split id or entry index");
        }
        foreach (int label in LabelIndices)
            if ((uint)label >= (uint)header.ClassCount)
                throw new FeatureCacheCorruptException(path, $"label index {label} outside {header.ClassCount} classes");
        if (FrameOffsets[n] * header.Bins * sizeof(float) != header.DataLength)
            throw new FeatureCacheCorruptException(path, "feature data length does not match the frame table");
    }

    private static void WriteInts(BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        foreach (int v in values)
            w.Write(v);
    }

    private static int[] ReadInts(BinaryReader r, int expected, string path, string what)
    {
        int count = r.ReadInt32();
        if (count < 0 || (expected >= 0 && count != expected) || count > (r.BaseStream.Length - r.BaseStream.Position) / sizeof(int))
            throw new FeatureCacheCorruptException(path, $"{what} table has a bad length {count}");
        var values = new int[count];
        for (int i = 0; i < count; i++)
            values[i] = r.ReadInt32();
        return values;
    }
}
