using System.Globalization;

namespace AecOfa.Benchmarks;

/// <summary>Strict, culture-invariant parsing of the benchmark tools' option values; errors name the option.</summary>
public static class BenchArgs
{
    public static double PositiveDouble(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"{option}: expected a positive number (with '.' as the decimal point), got '{value}'.");

    public static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new ArgumentException($"{option}: expected a positive integer, got '{value}'.");

    /// <summary>"MELSxFRAMES", e.g. "32x51" (the libtorch peer's --input).</summary>
    public static (int MelBins, int Frames) InputShape(string value)
    {
        var parts = value.Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int mels) && mels > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int frames) && frames > 0)
            return (mels, frames);
        throw new ArgumentException($"--input: expected MELSxFRAMES with positive integers, e.g. 32x51, got '{value}'.");
    }
}
