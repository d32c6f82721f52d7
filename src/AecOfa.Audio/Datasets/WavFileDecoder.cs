using System.Collections.Concurrent;
using AecOfa.Audio.Dsp;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Datasets;

/// <summary>
/// The default <see cref="IAudioDecoder"/>: <see cref="WavReader"/> (any PCM/float WAV, downmixed to mono), then
/// <see cref="Resampler"/> when the file's rate differs from the requested one. One resampler per input rate is
/// built lazily and shared (resamplers are immutable). Thread-safe.
/// </summary>
public sealed class WavFileDecoder(WavReadOptions? options = null) : IAudioDecoder
{
    private readonly WavReadOptions _options = options ?? WavReadOptions.Strict;
    private readonly ConcurrentDictionary<(int From, int To), Resampler> _resamplers = new();

    public AudioClip Decode(string path, int sampleRate)
    {
        AudioClip clip = WavReader.ReadWithInfo(path, _options).Clip;
        if (clip.SampleRate == sampleRate)
            return clip;
        Resampler resampler = _resamplers.GetOrAdd((clip.SampleRate, sampleRate), key => new Resampler(key.From, key.To));
        return resampler.Process(clip);
    }
}
