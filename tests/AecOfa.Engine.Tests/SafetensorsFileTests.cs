using System.Buffers.Binary;
using System.Text;
using AecOfa.Engine.IO;

namespace AecOfa.Engine.Tests;

public class SafetensorsFileTests
{
    /// <summary>8-byte little-endian header length, the header text padded with spaces to a multiple of 8, then data.</summary>
    private static byte[] Build(string header, byte[] data, bool pad = true)
    {
        var h = Encoding.UTF8.GetBytes(header);
        int length = pad ? (h.Length + 7) / 8 * 8 : h.Length;
        var bytes = new byte[8 + length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)length);
        bytes.AsSpan(8, length).Fill((byte)' ');
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + length);
        return bytes;
    }

    [Fact]
    public void RoundTrip_PreservesNamesOrderShapesValuesAndMetadata()
    {
        using var dir = new TempFolder();
        var rng = SeededRandom.Create(1);
        var tensors = new List<(string, Tensor)>
        {
            ("stage1.block0.dw.weight", Tensor.Randn(rng, 1f, 7, 1, 3, 3)),
            ("bias", Tensor.Randn(rng, 1f, 33)),
            ("scalar", Tensor.Scalar(float.MaxValue)),
            ("empty", Tensor.Zeros(0, 3)),
            ("a.z", Tensor.FromArray(new[] { float.NegativeInfinity, float.Epsilon, -0f }, 1, 3)),
        };
        var path = dir.File("model.safetensors");
        SafetensorsFile.Write(path, tensors, new Dictionary<string, string> { ["note"] = "héllo \"quoted\"" });
        var back = SafetensorsFile.Read(path);

        Assert.Equal(tensors.Select(t => t.Item1), back.Tensors.Select(t => t.Name));
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape, back[name].Shape);
            Assert.Equal(t.Data.Select(BitConverter.SingleToInt32Bits), back[name].Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal("héllo \"quoted\"", back.Metadata["note"]);
        Assert.True(back.IntegrityVerified);
        Assert.False(back.Metadata.ContainsKey(SafetensorsFile.FileSha256Key)); // integrity data, not content
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void Write_ProducesTheExactSpecLayout()
    {
        using var dir = new TempFolder();
        var path = dir.File("w.safetensors");
        SafetensorsFile.Write(path, new[] { ("w", Tensor.FromArray(new[] { 1.5f, -0.25f }, 2)) });
        var bytes = File.ReadAllBytes(path);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 8, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        var match = System.Text.RegularExpressions.Regex.Match(header.TrimEnd(' '),
            "^\\{\"__metadata__\":\\{\"aecofa.file_sha256\":\"([0-9a-f]{64})\"\\},\"w\":\\{\"dtype\":\"F32\",\"shape\":\\[2\\],\"data_offsets\":\\[0,8\\]\\}\\}$");
        Assert.True(match.Success, header);
        // The hash covers the whole file with its own 64 hex digits read as '0'.
        var zeroed = (byte[])bytes.Clone();
        zeroed.AsSpan(8 + match.Groups[1].Index, 64).Fill((byte)'0');
        Assert.Equal(match.Groups[1].Value, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zeroed)));
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x80, 0xBE }, bytes[^8..]);
    }

    [Fact]
    public void Read_HandBuiltPythonStyleFile_WithF32F16Bf16F64()
    {
        // As the Python safetensors package writes it: compact JSON, sorted names, no hash in __metadata__.
        const string header =
            "{\"__metadata__\":{\"format\":\"pt\"},\"b16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},\"h\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[4,8]}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        byte[] data =
        {
            0x80, 0x3F, 0x00, 0xBF,                         // BF16 1.0, -0.5
            0x00, 0x3C, 0x00, 0xC0,                         // F16 1.0, -2.0
            0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x80, 0xBE, // F32 1.5, -0.25
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40, // F64 3.0
        };
        var bytes = Build(header, data);
        Assert.Equal(8 + 256 + 24, bytes.Length); // 251-byte header padded to 256
        using var dir = new TempFolder();
        var path = dir.File("py.safetensors");
        File.WriteAllBytes(path, bytes);

        var refused = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains("no 'aecofa.file_sha256' integrity hash", refused.Message);
        var c = SafetensorsFile.Read(path, external: true);
        Assert.False(c.IntegrityVerified);
        Assert.Equal(new[] { "b16", "h", "w", "d" }, c.Tensors.Select(t => t.Name)); // data order
        Assert.Equal(new[] { 1f, -0.5f }, c["b16"].Data);
        Assert.Equal(new[] { 1, 2 }, c["h"].Shape);
        Assert.Equal(new[] { 1f, -2f }, c["h"].Data);
        Assert.Equal(new[] { 1.5f, -0.25f }, c["w"].Data);
        Assert.Empty(c["d"].Shape);
        Assert.Equal(new[] { 3f }, c["d"].Data);
        Assert.Equal("pt", c.Metadata["format"]);
    }

    [Fact]
    public void Read_UnpaddedHeaderWithoutMetadata_IsAccepted()
    {
        using var dir = new TempFolder();
        var path = dir.File("u.safetensors");
        File.WriteAllBytes(path, Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[] { 0, 0, 0x80, 0x3F }, pad: false));
        var c = SafetensorsFile.Read(path, external: true);
        Assert.Equal(new[] { 1f }, c["x"].Data);
        Assert.Empty(c.Metadata);
    }

    private static SafetensorsFormatException Corrupt(TempFolder dir, byte[] bytes, string expectedProblem)
    {
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedProblem, e.Message);
        return e;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        using var dir = new TempFolder();
        var path = dir.File("nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Read_FileShorterThan8Bytes() { using var d = new TempFolder(); Corrupt(d, new byte[] { 1, 2, 3 }, "shorter than the 8-byte header length"); }

    [Fact]
    public void Read_HeaderLengthBeyondFile()
    {
        using var d = new TempFolder();
        var bytes = Build("{}", Array.Empty<byte>());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        Corrupt(d, bytes, "header length 1000 goes beyond the end of the file");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Corrupt(d, bytes, "goes beyond the end of the file");
    }

    [Fact]
    public void Read_InvalidJson()
    {
        using var d = new TempFolder();
        Corrupt(d, Build("{\"x\":{\"dtype\":\"F32\",", Array.Empty<byte>()), "not valid UTF-8 JSON");
        Corrupt(d, Build("[1, 2]", Array.Empty<byte>()), "must be a JSON object");
        var bytes = Build("{\"x\":1}", Array.Empty<byte>());
        bytes[9] = 0xFF; // invalid UTF-8 inside the name
        Corrupt(d, bytes, "not valid UTF-8 JSON");
    }

    [Fact]
    public void Read_UnknownDtype()
    {
        using var d = new TempFolder();
        Corrupt(d, Build("{" + Entry("x", "I8", "[4]", 0, 4) + "}", new byte[4]), "unknown or unsupported dtype 'I8'");
    }

    [Fact]
    public void Read_ShapeAndOffsetSizeMismatch()
    {
        using var d = new TempFolder();
        var e = Corrupt(d, Build("{" + Entry("x", "F32", "[3]", 0, 8) + "}", new byte[8]), "tensor 'x': shape (3) of F32 needs 12 bytes but data_offsets [0, 8] span 8");
        Corrupt(d, Build("{" + Entry("x", "F32", "[-1]", 0, 4) + "}", new byte[4]), "not a non-negative 32-bit integer");
        Corrupt(d, Build("{" + Entry("x", "F32", "[1]", 4, 0) + "}", new byte[4]), "end before they begin");
        Corrupt(d, Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "\"data_offsets\" must be an array");
        Assert.NotNull(e);
    }

    [Fact]
    public void Read_OffsetsOutsideDataSection_ReportedAsTruncated()
    {
        using var d = new TempFolder();
        Corrupt(d, Build("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 4, 8) + "}", new byte[6]),
            "truncated data: tensor 'b' has data_offsets [4, 8] but the data section holds only 6 bytes");
    }

    [Fact]
    public void Read_TruncatedFile_OfAValidWrite()
    {
        using var d = new TempFolder();
        var good = d.File("good.safetensors");
        SafetensorsFile.Write(good, new[] { ("w", Tensor.Zeros(3, 7)) });
        var bytes = File.ReadAllBytes(good);
        Corrupt(d, bytes[..^5], "truncated data");
    }

    [Fact]
    public void Read_OverlappingGapAndTrailingBytes()
    {
        using var d = new TempFolder();
        Corrupt(d, Build("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[1]", 4, 8) + "}", new byte[8]), "overlap tensor 'a'");
        Corrupt(d, Build("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}", new byte[12]), "leaving bytes [4, 8) unused");
        Corrupt(d, Build("{" + Entry("a", "F32", "[1]", 0, 4) + "}", new byte[8]), "extra bytes at the end");
    }

    [Fact]
    public void Read_FlippedDataByte_IsDetectedByTheHash()
    {
        using var d = new TempFolder();
        var good = d.File("good.safetensors");
        SafetensorsFile.Write(good, new[] { ("w", Tensor.Randn(SeededRandom.Create(3), 1f, 33)) });
        var bytes = File.ReadAllBytes(good);
        bytes[^17] ^= 0x01;
        Corrupt(d, bytes, "corrupt or was edited");
    }

    [Fact]
    public void Read_BadMetadataAndDuplicateNames()
    {
        using var d = new TempFolder();
        Corrupt(d, Build("{\"__metadata__\":{\"k\":1}}", Array.Empty<byte>()), "metadata 'k' must be a string");
        Corrupt(d, Build("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}", new byte[8]), "names 'a' twice");
    }

    [Fact]
    public void Write_OverwritesAtomically_AndRejectsBadInput()
    {
        using var d = new TempFolder();
        var path = d.File("m.safetensors");
        SafetensorsFile.Write(path, new[] { ("w", Tensor.Full(1f, 2)) });
        SafetensorsFile.Write(path, new[] { ("w", Tensor.Full(2f, 5)) });
        Assert.Equal(new[] { 2f, 2f, 2f, 2f, 2f }, SafetensorsFile.Read(path)["w"].Data);
        Assert.Single(Directory.GetFiles(d.Path));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, new[] { ("w", Tensor.Zeros(1)), ("w", Tensor.Zeros(1)) }));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, new[] { ("__metadata__", Tensor.Zeros(1)) }));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, new[] { ("w", Tensor.Zeros(1)) },
            new Dictionary<string, string> { [SafetensorsFile.DataSha256Key] = "x" }));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, new[] { ("w", Tensor.Zeros(1)) },
            new Dictionary<string, string> { [SafetensorsFile.FileSha256Key] = "x" }));
    }

    [Fact]
    public void Write_KeepsJsonMetadataReadableInTheHeader()
    {
        using var d = new TempFolder();
        var path = d.File("meta.safetensors");
        SafetensorsFile.Write(path, new[] { ("w", Tensor.Zeros(1)) }, new Dictionary<string, string> { ["arch"] = "{\"ks\":[3,5],\"name\":\"µ<7>\"}" });
        var bytes = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Contains("\"arch\":\"{\\\"ks\\\":[3,5],\\\"name\\\":\\\"µ<7>\\\"}\"", header);
        Assert.Equal("{\"ks\":[3,5],\"name\":\"µ<7>\"}", SafetensorsFile.Read(path).Metadata["arch"]);
    }
}
