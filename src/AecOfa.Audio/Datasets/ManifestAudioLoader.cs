using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Datasets;

/// <summary>
/// Loads a manifest's audio as mono clips at the model's sample rate, applying the
/// <see cref="UnreadableFilePolicy"/>: stop on the first unreadable file, or skip it and record which and why.
/// Thread-safe: the feature cache builder calls <see cref="TryLoad"/> from several workers.
/// </summary>
public sealed class ManifestAudioLoader
{
    private readonly IAudioDecoder _decoder;
    private readonly Lock _gate = new();
    private readonly List<SkippedClip> _skipped = [];

    /// <summary>Loads with <see cref="WavFileDecoder"/> (WAV, resampled to <paramref name="sampleRate"/>).</summary>
    public ManifestAudioLoader(Manifest manifest, int sampleRate, UnreadableFilePolicy policy = UnreadableFilePolicy.Stop)
        : this(manifest, sampleRate, new WavFileDecoder(), policy)
    {
    }

    public ManifestAudioLoader(Manifest manifest, int sampleRate, IAudioDecoder decoder, UnreadableFilePolicy policy = UnreadableFilePolicy.Stop)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        Manifest = manifest;
        SampleRate = sampleRate;
        Policy = policy;
        _decoder = decoder;
    }

    public Manifest Manifest { get; }

    public int SampleRate { get; }

    public UnreadableFilePolicy Policy { get; }

    /// <summary>Clips skipped so far, in manifest order.</summary>
    public IReadOnlyList<SkippedClip> Skipped
    {
        get
        {
            lock (_gate)
                return _skipped.OrderBy(s => s.EntryIndex).ToArray();
        }
    }

    public int SkippedCount
    {
        get
        {
            lock (_gate)
                return _skipped.Count;
        }
    }

    /// <summary>
    /// The clip of entry <paramref name="entryIndex"/> at <see cref="SampleRate"/>, or null when it is unreadable
    /// and the policy is Skip (the skip is recorded). Under Stop an unreadable file throws <see cref="ClipLoadException"/>.
    /// </summary>
    public AudioClip? TryLoad(int entryIndex)
    {
        string path = Manifest.FullPath(entryIndex);
        try
        {
            AudioClip clip = _decoder.Decode(path, SampleRate);
            if (clip.SampleRate != SampleRate)
                throw new InvalidOperationException($"Decoder returned {clip.SampleRate} Hz for '{path}', expected {SampleRate} Hz.");
            return clip;
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            if (Policy == UnreadableFilePolicy.Stop)
                throw new ClipLoadException(entryIndex, path, e, Manifest.SourcePath, Manifest.LineNumber(entryIndex));
            lock (_gate)
                _skipped.Add(new SkippedClip(entryIndex, path, $"line {Manifest.LineNumber(entryIndex)}: {e.GetType().Name}: {e.Message}"));
            return null;
        }
    }

    /// <summary>Loads every entry in order (skipping per policy) with its manifest index.</summary>
    public IEnumerable<(int EntryIndex, AudioClip Clip)> LoadAll()
    {
        for (int i = 0; i < Manifest.Count; i++)
            if (TryLoad(i) is { } clip)
                yield return (i, clip);
    }

    /// <summary>Errors that mean "this file is bad", as opposed to bugs, which always propagate.</summary>
    private static bool IsUnreadable(Exception e) =>
        e is AudioFormatException or IOException or InvalidDataException or FormatException or NotSupportedException or UnauthorizedAccessException;
}
