using AecOfa.Audio;
using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks;

/// <summary>
/// Front-end cost for 10 s of 16 kHz audio (1001 frames with the defaults). Real-time factor = 10 s / mean time.
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*LogMel*' --job short
/// </summary>
[MemoryDiagnoser]
public class LogMelBenchmarks
{
    private const int Rate = 16000;
    private LogMelExtractor _extractor = null!;
    private LogMelWorkspace _workspace = null!;
    private float[] _audio = null!;
    private float[] _features = null!;
    private float[] _audio44k = null!;
    private float[] _resampled = null!;
    private Resampler _resampler = null!;
    private RealFft _fft = null!;
    private RealFft _fft400 = null!;
    private float[] _re = null!;
    private float[] _im = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _audio = Enumerable.Range(0, 10 * Rate)
            .Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / Rate) + 0.1 * (rng.NextDouble() - 0.5)))
            .ToArray();
        _extractor = new LogMelExtractor();
        _workspace = _extractor.CreateWorkspace();
        _features = new float[_extractor.Bins * _extractor.FrameCount(_audio.Length)];
        _audio44k = Enumerable.Range(0, 441000).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        _resampler = new Resampler(44100, Rate);
        _resampled = new float[_resampler.OutputLength(_audio44k.Length)];
        _fft = new RealFft(512);
        _fft400 = new RealFft(400);
        _re = new float[_fft.BinCount];
        _im = new float[_fft.BinCount];
    }

    /// <summary>Default log-mel (512-point FFT, 400/160, 64 Slaney mels) of 10 s, caller-owned workspace.</summary>
    [Benchmark(Baseline = true)]
    public void LogMel10s() => _extractor.Extract(_audio, _features, _workspace);

    /// <summary>Same, through the IFeatureExtractor entry point (allocates one small workspace per call).</summary>
    [Benchmark]
    public void LogMel10sInterface() => ((IFeatureExtractor)_extractor).Extract(_audio, _features);

    /// <summary>10 s of 44.1 kHz audio to 16 kHz (dataset conversion).</summary>
    [Benchmark]
    public void Resample10s44kTo16k() => _resampler.Process(_audio44k, _resampled);

    /// <summary>One 512-point real FFT.</summary>
    [Benchmark]
    public void RealFft512() => _fft.Forward(_audio.AsSpan(0, 512), _re, _im);

    /// <summary>One 400-point real FFT (Bluestein, through 1024-point complex FFTs).</summary>
    [Benchmark]
    public void RealFft400() => _fft400.Forward(_audio.AsSpan(0, 400), _re, _im);
}
