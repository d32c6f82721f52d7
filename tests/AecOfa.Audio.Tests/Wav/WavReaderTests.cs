using AecOfa.Audio.Wav;
using static AecOfa.Audio.Tests.Wav.WavBytes;

namespace AecOfa.Audio.Tests.Wav;

public sealed class WavReaderTests
{
    private static WavReadResult Parse(byte[] bytes, WavReadOptions? options = null) =>
        WavReader.ReadWithInfo(new MemoryStream(bytes), "x.wav", options);

    private static AudioFormatException Fails(byte[] bytes, WavReadOptions? options = null) =>
        Assert.Throws<AudioFormatException>(() => Parse(bytes, options));

    [Fact]
    public void Pcm16StereoIsAveragedToMono()
    {
        var bytes = Riff(Fmt(1, 2, 44100, 16), Chunk("data", Int16(16384, -16384, 32767, 32767, -32768, 0)));
        var result = Parse(bytes);
        Assert.Equal(44100, result.Clip.SampleRate);
        Assert.Equal(new[] { 0f, 32767f / 32768f, -0.5f }, result.Clip.Samples);
        Assert.Equal(2, result.Info.Channels);
        Assert.Equal(WavSampleFormat.Pcm16, result.Info.Format);
        Assert.False(result.Info.DataTruncated);
    }

    [Fact]
    public void EachSampleEncodingDecodesToUnitScale()
    {
        Assert.Equal(new[] { -1f, 0f, 127f / 128f },
            Parse(Riff(Fmt(1, 1, 8000, 8), Chunk("data", new byte[] { 0, 128, 255 }))).Clip.Samples);
        Assert.Equal(new[] { -1f, 0.5f, -0.25f },
            Parse(Riff(Fmt(1, 1, 8000, 24), Chunk("data", Int24(-8388608, 4194304, -2097152)))).Clip.Samples);
        Assert.Equal(new[] { -1f, 0.5f },
            Parse(Riff(Fmt(1, 1, 8000, 32), Chunk("data", Int32(int.MinValue, 1 << 30)))).Clip.Samples);
        Assert.Equal(new[] { 0.125f, -1.5f },
            Parse(Riff(Fmt(3, 1, 8000, 32), Chunk("data", Float32(0.125f, -1.5f)))).Clip.Samples);
        Assert.Equal(new[] { 0.25f, -0.75f },
            Parse(Riff(Fmt(3, 1, 8000, 64), Chunk("data", Float64(0.25, -0.75)))).Clip.Samples);
    }

    [Fact]
    public void ExtensiblePcmAndFloatWithManyChannels()
    {
        // 6 channels, one frame: mean of (0.5, -0.5, 0.25, 0.25, 0, 0.5) = 1/6.
        int[] pcm = [4194304, -4194304, 2097152, 2097152, 0, 4194304];
        var r24 = Parse(Riff(FmtExtensible(1, 6, 48000, 24, 20), Chunk("data", Int24(pcm))));
        Assert.Equal(1f / 6f, r24.Clip.Samples.Single(), 6);
        Assert.Equal(6, r24.Info.Channels);
        var rf = Parse(Riff(FmtExtensible(3, 3, 22050, 32, 32), Chunk("data", Float32(0.3f, 0.6f, 0.9f, 0f, 0f, 0.3f))));
        Assert.Equal(new[] { 0.6f, 0.1f }, rf.Clip.Samples.Select(v => MathF.Round(v, 6)));
        Assert.Equal(WavSampleFormat.Float32, rf.Info.Format);
    }

    [Fact]
    public void UnknownAndOddSizedChunksAreSkippedOnSeekableAndForwardOnlyStreams()
    {
        var bytes = Riff(
            Chunk("LIST", "INFOa"u8), // 5 bytes + pad byte
            Fmt(1, 1, 16000, 16),
            Chunk("fact", Int32(3)),
            Chunk("cue ", new byte[7]),
            Chunk("data", Int16(1, 2, 3)), // 6 bytes
            Chunk("junk", new byte[3]));
        float[] expected = [1 / 32768f, 2 / 32768f, 3 / 32768f];
        Assert.Equal(expected, Parse(bytes).Clip.Samples);
        Assert.Equal(expected, WavReader.Read(new ForwardOnlyStream(bytes), "pipe.wav").Samples);
    }

    [Fact]
    public void NonWaveInputsNameTheFileAndTheProblem()
    {
        Assert.Equal("x.wav: file is empty", Fails([]).Message);
        Assert.Equal("x.wav: not a RIFF/WAVE file (starts with 'ID3\\x04')", Fails("ID3\u0004abcdefgh"u8.ToArray()).Message);
        Assert.Contains("file is truncated: 6 bytes", Fails("RIFF\0\0"u8.ToArray()).Message);
        var avi = "RIFF\u0004\0\0\0AVI "u8.ToArray();
        Assert.Contains("RIFF file of form 'AVI ' is not WAVE", Fails(avi).Message);
        Assert.Contains("big-endian RIFX", Fails("RIFX\u0004\0\0\0WAVE"u8.ToArray()).Message);
    }

    [Fact]
    public void InconsistentFmtChunksAreRejected()
    {
        var data = Chunk("data", new byte[30]);
        Assert.Equal("x.wav: fmt chunk says 24-bit PCM with 2 channel(s) and block align 5, expected 6",
            Fails(Riff(Fmt(1, 2, 16000, 24, blockAlign: 5), data)).Message);
        Assert.Contains("unsupported format tag 0x0002 (Microsoft ADPCM)", Fails(Riff(Fmt(2, 1, 16000, 4, 1), data)).Message);
        Assert.Contains("PCM with 12 bits per sample is not supported", Fails(Riff(Fmt(1, 1, 16000, 12, 2), data)).Message);
        Assert.Contains("IEEE float with 16 bits", Fails(Riff(Fmt(3, 1, 16000, 16), data)).Message);
        Assert.Contains("0 channels", Fails(Riff(Fmt(1, 0, 16000, 16, 2), data)).Message);
        Assert.Contains("sample rate 0 Hz", Fails(Riff(Fmt(1, 1, 0, 16), data)).Message);
        Assert.Contains("fmt chunk is 4 bytes", Fails(Riff(Chunk("fmt ", new byte[4]), data)).Message);
    }

    [Fact]
    public void MissingOrMisorderedChunksAreRejected()
    {
        Assert.Equal("x.wav: data chunk comes before the fmt chunk",
            Fails(Riff(Chunk("data", Int16(1)), Fmt(1, 1, 8000, 16))).Message);
        Assert.Equal("x.wav: no data chunk found", Fails(Riff(Fmt(1, 1, 8000, 16))).Message);
        Assert.Equal("x.wav: no fmt chunk found", Fails(Riff(Chunk("LIST", new byte[4]))).Message);
        Assert.Equal("x.wav: data chunk holds no samples", Fails(Riff(Fmt(1, 1, 8000, 16), Chunk("data", []))).Message);
        Assert.Contains("chunk 'LIST' at byte 12 is truncated: header says 100 bytes, file has 4",
            Fails(Riff(Chunk("LIST", new byte[4], sizeOverride: 100))).Message);
        Assert.Contains("not a multiple of the block align 2",
            Fails(Riff(Fmt(1, 1, 8000, 16), Chunk("data", new byte[3], pad: false))).Message);
        Assert.Contains("not finite", Fails(Riff(Fmt(3, 1, 8000, 32), Chunk("data", Float32(0f, float.NaN)))).Message);
    }

    [Fact]
    public void TruncatedDataIsAnErrorUnlessAllowed()
    {
        var bytes = Riff(Fmt(1, 1, 16000, 16), Chunk("data", new byte[1200], sizeOverride: 32000));
        Assert.Equal("x.wav: data chunk is truncated: header says 32000 bytes, file has 1200", Fails(bytes).Message);
        var lenient = Parse(bytes, WavReadOptions.Lenient);
        Assert.True(lenient.Info.DataTruncated);
        Assert.Equal(600, lenient.Clip.Samples.Length);
        Assert.Equal(32000, lenient.Info.DeclaredDataBytes);

        // A partial last frame is dropped in lenient mode.
        var odd = Riff(Fmt(1, 2, 16000, 16), Chunk("data", new byte[10], pad: false, sizeOverride: 400));
        var r = Parse(odd, WavReadOptions.Lenient);
        Assert.Equal(2, r.Clip.Samples.Length);
        Assert.Contains("file has 10", Fails(odd).Message);
    }

    [Fact]
    public void StreamedDataSizeReadsToEndOfFile()
    {
        var bytes = Riff(Fmt(1, 1, 16000, 16), Chunk("data", Int16(100, 200, 300, 400), sizeOverride: 0xFFFFFFFF));
        var result = Parse(bytes);
        Assert.Equal(4, result.Clip.Samples.Length);
        Assert.False(result.Info.DataTruncated);
        Assert.Equal(4, WavReader.Read(new ForwardOnlyStream(bytes), "s.wav").Samples.Length);
    }

    [Fact]
    public void LongDataSpansManyReadBlocks()
    {
        var values = Enumerable.Range(0, 3 * 4096 + 17).Select(i => (short)(i * 7 % 60000 - 30000)).ToArray();
        var bytes = Riff(Fmt(1, 1, 16000, 16), Chunk("data", Int16(values)));
        float[] expected = values.Select(v => v / 32768f).ToArray();
        Assert.Equal(expected, Parse(bytes).Clip.Samples);
        Assert.Equal(expected, WavReader.Read(new ForwardOnlyStream(bytes), "p.wav").Samples);
    }

    [Fact]
    public void ReadingAPathNamesThePathInErrors()
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-wav").FullName;
        try
        {
            string path = Path.Combine(dir, "bad.wav");
            File.WriteAllBytes(path, "ID3\u0003tag"u8.ToArray());
            var ex = Assert.Throws<AudioFormatException>(() => WavReader.Read(path));
            Assert.StartsWith(path + ": not a RIFF/WAVE file", ex.Message);
            Assert.Equal(path, ex.FileName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ReadInfoParsesTheHeaderWithoutDecoding()
    {
        var bytes = Riff(Chunk("LIST", new byte[5]), Fmt(1, 2, 48000, 24), Chunk("data", new byte[6 * 1000]));
        var info = WavReader.ReadInfo(new MemoryStream(bytes), "h.wav");
        Assert.Equal(new WavInfo(WavSampleFormat.Pcm24, 2, 48000, 1000, false, 6000), info);

        var truncated = Riff(Fmt(1, 1, 16000, 16), Chunk("data", new byte[1200], sizeOverride: 32000));
        var t = WavReader.ReadInfo(new MemoryStream(truncated), "t.wav");
        Assert.True(t.DataTruncated);
        Assert.Equal(600, t.Frames);

        var streamed = Riff(Fmt(3, 1, 8000, 32), Chunk("data", new byte[40], sizeOverride: 0xFFFFFFFF));
        Assert.Equal(10, WavReader.ReadInfo(new MemoryStream(streamed), "s.wav").Frames);
        Assert.Contains("cannot seek", Assert.Throws<AudioFormatException>(
            () => WavReader.ReadInfo(new ForwardOnlyStream(streamed), "s.wav")).Message);
        Assert.Contains("not a RIFF/WAVE", Assert.Throws<AudioFormatException>(
            () => WavReader.ReadInfo(new MemoryStream("OggS0000"u8.ToArray()), "o.wav")).Message);
    }
}
