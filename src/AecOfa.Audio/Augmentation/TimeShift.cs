namespace AecOfa.Audio.Augmentation;

/// <summary>
/// Shifts audio (samples) or features (frames of every bin row) by an offset drawn uniformly in
/// [-MaxShift, MaxShift]; positive moves content later. In place, allocation-free. Deterministic for a seeded Random.
/// </summary>
public sealed record TimeShift
{
    public TimeShift(int maxShift, TimeShiftMode mode = TimeShiftMode.Roll, float fillValue = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        MaxShift = maxShift;
        Mode = mode;
        FillValue = fillValue;
    }

    public int MaxShift { get; }

    public TimeShiftMode Mode { get; }

    public float FillValue { get; }

    /// <summary>Shifts mono audio in place; returns the shift in samples.</summary>
    public int ApplyToAudio(Span<float> audio, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int shift = random.Next(-MaxShift, MaxShift + 1);
        Shift(audio, shift, Mode, FillValue);
        return shift;
    }

    /// <summary>Shifts every row of a Bins x Frames matrix by the same number of frames; returns it.</summary>
    public int ApplyToFeatures(Span<float> features, int bins, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (features.Length % bins != 0)
        {
            throw new ArgumentException($"features hold {features.Length} values, not a whole number of {bins}-bin frames", nameof(features));
        }

        int frames = features.Length / bins;
        int shift = random.Next(-MaxShift, MaxShift + 1);
        for (int b = 0; b < bins; b++)
        {
            Shift(features.Slice(b * frames, frames), shift, Mode, FillValue);
        }

        return shift;
    }

    /// <summary>Moves <paramref name="data"/> by <paramref name="shift"/> positions (positive = later) in place.</summary>
    public static void Shift(Span<float> data, int shift, TimeShiftMode mode, float fillValue = 0)
    {
        int n = data.Length;
        if (n == 0 || shift == 0)
        {
            return;
        }

        if (mode == TimeShiftMode.Roll)
        {
            int k = (int)(((long)shift % n + n) % n);
            // Right rotation by k as three reversals.
            data.Reverse();
            data[..k].Reverse();
            data[k..].Reverse();
            return;
        }

        if (Math.Abs((long)shift) >= n)
        {
            data.Fill(fillValue);
        }
        else if (shift > 0)
        {
            data[..(n - shift)].CopyTo(data[shift..]);
            data[..shift].Fill(fillValue);
        }
        else
        {
            data[(-shift)..].CopyTo(data);
            data[(n + shift)..].Fill(fillValue);
        }
    }
}
