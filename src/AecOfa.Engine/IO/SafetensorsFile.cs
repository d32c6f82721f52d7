using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AecOfa.Engine.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c>
/// padded with spaces to a multiple of 8, then the raw little-endian data (offsets relative to its start,
/// tensors contiguous, covering it exactly). Writes F32; reads F32, F64, F16 and BF16 (converted to float32),
/// so files written by Python tools load. Our files carry a SHA-256 of the WHOLE file in <see cref="FileSha256Key"/>:
/// the length field, the header (metadata included, padding included) and the data, hashed with the 64 hex digits
/// of the hash value itself replaced by '0'. Any edited byte is detected, including the hash value; a file without
/// the hash (e.g. its key renamed) is refused unless it is read as an external file
/// (<see cref="Read(string, bool)"/> with external: true) to import weights written by other tools.
/// </summary>
public static class SafetensorsFile
{
    public const string MetadataKey = "__metadata__";

    /// <summary>Metadata key of the lowercase hex SHA-256 of the whole file (see the class summary).</summary>
    public const string FileSha256Key = "aecofa.file_sha256";

    /// <summary>Legacy key of a SHA-256 of the data section only (files of earlier versions); no longer written,
    /// still verified when an external file carries it.</summary>
    public const string DataSha256Key = "aecofa.data_sha256";

    private const int HashHexLength = 64;

    /// <summary>Headers above this size are refused (as the reference implementation does) instead of allocating them.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes the tensors (in the given order) and metadata atomically: a temporary file in the same folder
    /// is written, flushed and moved over <paramref name="path"/>. Adds <see cref="DataSha256Key"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor has an empty name.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(t, $"tensor '{name}'");
        }
        if (metadata is not null && (metadata.ContainsKey(FileSha256Key) || metadata.ContainsKey(DataSha256Key)))
            throw new ArgumentException($"Metadata keys '{FileSha256Key}' and '{DataSha256Key}' are the writer's; do not pass them.", nameof(metadata));

        long dataBytes = list.Sum(x => 4L * x.Tensor.Numel);
        var data = new byte[dataBytes];
        long offset = 0;
        foreach (var (_, t) in list)
        {
            var src = t.Span;
            var dst = data.AsSpan((int)offset, 4 * src.Length);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(src).CopyTo(dst);
            else for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(4 * i, 4), src[i]);
            offset += 4L * src.Length;
        }
        var header = BuildHeader(list, metadata, new string('0', HashHexLength));
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        int at = HashValueOffset(header) ?? throw new InvalidOperationException("The written header lacks its hash field.");
        byte[] hash = FileHash(len, header, data);
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash)).CopyTo(header, at);

        AtomicFile.Write(path, fs =>
        {
            fs.Write(len);
            fs.Write(header);
            fs.Write(data);
        });
    }

    /// <summary>SHA-256 of length field + header (hash value as zeros) + data.</summary>
    private static byte[] FileHash(ReadOnlySpan<byte> length, ReadOnlySpan<byte> headerWithZeroHash, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(length);
        hash.AppendData(headerWithZeroHash);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>Byte offset of the 64 hex digits in the raw header's <c>"aecofa.file_sha256":"..."</c>, or null when
    /// that exact sequence is absent or appears more than once (a quote inside a JSON string is always escaped, so
    /// the sequence can only be the metadata entry itself).</summary>
    private static int? HashValueOffset(ReadOnlySpan<byte> header)
    {
        ReadOnlySpan<byte> marker = "\"aecofa.file_sha256\":\""u8;
        int first = header.IndexOf(marker);
        if (first < 0 || header[(first + 1)..].IndexOf(marker) >= 0) return null;
        int at = first + marker.Length;
        if (at + HashHexLength >= header.Length || header[at + HashHexLength] != (byte)'"') return null;
        return at;
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Tensor)> list, IReadOnlyDictionary<string, string>? metadata, string sha256)
    {
        using var ms = new MemoryStream();
        // Relaxed escaping: names and metadata (e.g. JSON architecture configs) stay readable in the header;
        // the output is still strict JSON.
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject(MetadataKey);
            if (metadata is not null)
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteString(FileSha256Key, sha256);
            w.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in list)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += 4L * t.Numel;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int length = (int)ms.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        ms.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>
    /// Reads every tensor (converted to float32) and the metadata, validating the whole file first. The file must
    /// carry a matching <see cref="FileSha256Key"/> (written by <see cref="Write"/>) unless <paramref name="external"/>
    /// is true: then a file of another tool without the hash is accepted (a hash present is still verified). The
    /// returned metadata does not include <see cref="FileSha256Key"/>.
    /// </summary>
    public static SafetensorsContent Read(string path, bool external = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        byte[] headerBytes;
        byte[] data;
        var len = new byte[8];
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            long fileLength = fs.Length;
            if (fileLength < 8)
                throw new SafetensorsFormatException(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header length.");
                fs.ReadExactly(len);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
            if (headerLength > (ulong)(fileLength - 8))
                throw new SafetensorsFormatException(path, $"the header length {headerLength} goes beyond the end of the file ({fileLength - 8} bytes follow the length field).");
            if (headerLength > MaxHeaderBytes)
                throw new SafetensorsFormatException(path, $"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit.");
            long dataLength = fileLength - 8 - (long)headerLength;
            if (dataLength > Array.MaxLength)
                throw new SafetensorsFormatException(path, $"the data section of {dataLength} bytes is larger than this reader supports ({Array.MaxLength}).");
            headerBytes = new byte[headerLength];
            fs.ReadExactly(headerBytes);
            data = new byte[dataLength];
            fs.ReadExactly(data);
        }

        var (entries, metadata) = ParseHeader(path, headerBytes);
        ValidateLayout(path, entries, data.Length);
        bool verified = false;
        if (metadata.Remove(FileSha256Key, out var recorded))
        {
            int at = HashValueOffset(headerBytes)
                ?? throw new SafetensorsFormatException(path, $"the header's '{FileSha256Key}' entry is not in the form this writer produces (edited?).");
            headerBytes.AsSpan(at, HashHexLength).Fill((byte)'0');
            string actual = Convert.ToHexStringLower(FileHash(len, headerBytes, data));
            if (!string.Equals(actual, recorded, StringComparison.Ordinal))
                throw new SafetensorsFormatException(path, $"the file is corrupt or was edited: its SHA-256 is {actual} but the header records {recorded} (the hash covers the header metadata and the tensor data).");
            verified = true;
        }
        else if (!external)
            throw new SafetensorsFormatException(path, $"the file carries no '{FileSha256Key}' integrity hash, so edits or corruption cannot be ruled out (a file of an earlier AecOfa version, an edited one, or one from another tool: import other tools' files explicitly as external).");
        if (metadata.TryGetValue(DataSha256Key, out var expected))
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(data));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new SafetensorsFormatException(path, $"the data section is corrupt: its SHA-256 is {actual} but the header records {expected}.");
        }

        var tensors = new List<(string, Tensor)>(entries.Count);
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            var values = new float[e.Numel];
            SafetensorsDType.ToFloat(e.DType, data.AsSpan((int)e.Begin, (int)(e.End - e.Begin)), values);
            tensors.Add((e.Name, new Tensor(values, e.Shape)));
        }
        return new SafetensorsContent(tensors, metadata) { IntegrityVerified = verified };
    }

    private sealed record Entry(string Name, string DType, int[] Shape, int Numel, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(string path, byte[] headerBytes)
    {
        JsonDocument doc;
        try
        {
            // Strict UTF-8 decoding first: JsonDocument would accept some invalid sequences silently.
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes);
            doc = JsonDocument.Parse(text);
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new SafetensorsFormatException(path, $"the {headerBytes.Length}-byte header is not valid UTF-8 JSON: {ex.Message}", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, $"the header must be a JSON object, found {root.ValueKind}.");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in root.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw new SafetensorsFormatException(path, $"the header names '{prop.Name}' twice.");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new SafetensorsFormatException(path, $"'{MetadataKey}' must be an object of strings, found {prop.Value.ValueKind}.");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new SafetensorsFormatException(path, $"metadata '{m.Name}' must be a string, found {m.Value.ValueKind}.");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                            throw new SafetensorsFormatException(path, $"the header names metadata '{m.Name}' twice.");
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, prop.Name, prop.Value));
            }
            return (entries, metadata);
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement e)
    {
        string where = $"tensor '{name}'";
        if (e.ValueKind != JsonValueKind.Object) throw new SafetensorsFormatException(path, $"{where}: entry must be an object, found {e.ValueKind}.");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, $"{where}: missing or non-string \"dtype\".");
        string dtype = dt.GetString()!;
        if (!SafetensorsDType.TryGetSize(dtype, out int elementSize))
            throw new SafetensorsFormatException(path, $"{where}: unknown or unsupported dtype '{dtype}' (this reader supports F32, F64, F16, BF16).");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, $"{where}: missing or non-array \"shape\".");
        var shape = new int[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new SafetensorsFormatException(path, $"{where}: shape entry {i} ({d.GetRawText()}) is not a non-negative 32-bit integer.");
            shape[i++] = dim;
            numel *= dim;
            if (numel > Array.MaxLength) throw new SafetensorsFormatException(path, $"{where}: shape {ShapeUtil.Format(shape)} has too many elements.");
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new SafetensorsFormatException(path, $"{where}: \"data_offsets\" must be an array [begin, end].");
        long begin = ReadOffset(path, where, off[0]);
        long end = ReadOffset(path, where, off[1]);
        if (end < begin) throw new SafetensorsFormatException(path, $"{where}: data_offsets [{begin}, {end}] end before they begin.");
        if (end - begin != numel * elementSize)
            throw new SafetensorsFormatException(path, $"{where}: shape {ShapeUtil.Format(shape)} of {dtype} needs {numel * elementSize} bytes but data_offsets [{begin}, {end}] span {end - begin}.");
        return new Entry(name, dtype, shape, (int)numel, begin, end);
    }

    private static long ReadOffset(string path, string where, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
            throw new SafetensorsFormatException(path, $"{where}: data offset {v.GetRawText()} is not a non-negative integer.");
        return x;
    }

    /// <summary>Tensors must tile the data section exactly: no overlap, no gap, nothing beyond or after it.</summary>
    private static void ValidateLayout(string path, List<Entry> entries, long dataLength)
    {
        long declared = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        if (declared > dataLength)
        {
            var beyond = entries.Where(e => e.End > dataLength).OrderBy(e => e.Begin).First();
            throw new SafetensorsFormatException(path, $"truncated data: tensor '{beyond.Name}' has data_offsets [{beyond.Begin}, {beyond.End}] but the data section holds only {dataLength} bytes.");
        }
        long cursor = 0;
        Entry? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < cursor)
                throw new SafetensorsFormatException(path, $"tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}].");
            if (e.Begin > cursor)
                throw new SafetensorsFormatException(path, $"tensor '{e.Name}' begins at data offset {e.Begin}, leaving bytes [{cursor}, {e.Begin}) unused: tensors must be contiguous.");
            cursor = e.End;
            previous = e;
        }
        if (cursor != dataLength)
            throw new SafetensorsFormatException(path, $"the data section holds {dataLength} bytes but the tensors cover only {cursor}: extra bytes at the end.");
    }
}
