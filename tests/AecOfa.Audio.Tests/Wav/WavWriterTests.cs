using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests.Wav;

public sealed class WavWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-wavw").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Signal(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 1.8 - 0.9)).ToArray();
    }

    [Fact]
    public void Pcm16RoundTripIsWithinHalfAQuantizationStep()
    {
        string path = Path.Combine(_dir, "a.wav");
        var x = Signal(1001, 1);
        WavWriter.Write(path, new AudioClip(x, 16000));
        var back = WavReader.ReadWithInfo(path);
        Assert.Equal(16000, back.Clip.SampleRate);
        Assert.Equal(WavSampleFormat.Pcm16, back.Info.Format);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(x[i] - back.Clip.Samples[i]) <= 0.5f / 32768f + 1e-7f, $"sample {i}");
        }

        Assert.Equal(44 + 2 * 1001, new FileInfo(path).Length); // canonical 44-byte header
    }

    [Fact]
    public void Pcm16ClipsAndRounds()
    {
        Assert.Equal(short.MaxValue, WavWriter.ToPcm16(1.5f));
        Assert.Equal(short.MinValue, WavWriter.ToPcm16(-1f));
        Assert.Equal(short.MinValue, WavWriter.ToPcm16(-3f));
        Assert.Equal(1, WavWriter.ToPcm16(0.6f / 32768f));
        Assert.Equal(0, WavWriter.ToPcm16(float.NaN));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Float32MultichannelRoundTripDownmixesExactly(int channels)
    {
        string path = Path.Combine(_dir, $"f{channels}.wav");
        var x = Signal(channels * 37, channels);
        WavWriter.Write(path, x, channels, 48000, WavSampleFormat.Float32);
        var back = WavReader.ReadWithInfo(path);
        Assert.Equal(channels, back.Info.Channels);
        Assert.Equal(37, back.Clip.Samples.Length);
        for (int f = 0; f < 37; f++)
        {
            double mean = 0;
            for (int c = 0; c < channels; c++)
            {
                mean += x[f * channels + c];
            }

            Assert.Equal(mean / channels, back.Clip.Samples[f], 6);
        }
    }

    [Fact]
    public void WriteIsAtomicAndOverwrites()
    {
        string path = Path.Combine(_dir, "o.wav");
        File.WriteAllText(path, "old");
        WavWriter.Write(path, new AudioClip([0.5f, -0.5f], 8000));
        Assert.Equal(new[] { 0.5f, -0.5f }, WavReader.Read(path).Samples);
        Assert.Equal(new[] { "o.wav" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        string path = Path.Combine(_dir, "bad.wav");
        Assert.Throws<ArgumentException>(() => WavWriter.Write(path, new float[3], 2, 8000, WavSampleFormat.Pcm16));
        Assert.Throws<ArgumentException>(() => WavWriter.Write(path, new float[4], 2, 8000, WavSampleFormat.Pcm24));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(path, new float[4], 0, 8000, WavSampleFormat.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(path, new float[4], 1, 0, WavSampleFormat.Pcm16));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
