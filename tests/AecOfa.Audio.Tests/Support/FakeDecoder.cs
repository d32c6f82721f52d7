using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Tests.Support;

/// <summary>
/// Decodes placeholder "audio" files whose text is a sample count (e.g. "250"): samples are a deterministic ramp
/// seeded by the file name. A file whose text starts with "corrupt" throws InvalidDataException; a missing file
/// throws FileNotFoundException, like a real decoder.
/// </summary>
public sealed class FakeDecoder : IAudioDecoder
{
    public AudioClip Decode(string path, int sampleRate)
    {
        string text = File.ReadAllText(path).Trim();
        if (text.StartsWith("corrupt", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is not a valid audio file.");
        int count = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        int seed = 0;
        foreach (char c in Path.GetFileName(path))
            seed = seed * 31 + c;
        var samples = new float[count];
        for (int i = 0; i < count; i++)
            samples[i] = (float)Math.Sin(0.01 * (seed % 997) + 0.1 * i);
        return new AudioClip(samples, sampleRate);
    }

    public static string Placeholder(int samples) => samples.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
