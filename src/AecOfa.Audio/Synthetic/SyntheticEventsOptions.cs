namespace AecOfa.Audio.Synthetic;

/// <summary>Settings of the built-in synthetic household-events dataset. Defaults are the `aecofa synth`/`demo` dataset.</summary>
public sealed record SyntheticEventsOptions
{
    /// <summary>Dataset seed: with the same options, the same seed gives bitwise identical audio and labels.</summary>
    public int Seed { get; init; } = 1234;

    public int SampleRate { get; init; } = 16000;

    /// <summary>Clip duration; the design range is 1-2 s, [0.5, 4] is accepted.</summary>
    public double ClipSeconds { get; init; } = 1.5;

    public int TrainClips { get; init; } = 2000;

    public int ValidationClips { get; init; } = 400;

    public int TestClips { get; init; } = 400;

    public int MaxEventsPerClip { get; init; } = 3;

    /// <summary>Probability of a clip with no event (background only, empty label list).</summary>
    public double EmptyClipProbability { get; init; } = 0.1;

    public double MinSnrDb { get; init; } = -5;

    public double MaxSnrDb { get; init; } = 20;

    public double MinRt60Seconds { get; init; } = 0.1;

    public double MaxRt60Seconds { get; init; } = 0.8;

    /// <summary>Range of the reverberant (wet) fraction per event, standing for its distance from the microphone.</summary>
    public double MinWet { get; init; } = 0.05;

    public double MaxWet { get; init; } = 0.6;

    public int ClipSamples => (int)Math.Round(ClipSeconds * SampleRate);

    public int Count(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => TrainClips,
        DatasetSplit.Validation => ValidationClips,
        DatasetSplit.Test => TestClips,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Check(SampleRate is >= 8000 and <= 48000, nameof(SampleRate), SampleRate, "in [8000, 48000] Hz");
        Check(ClipSeconds is >= 0.5 and <= 4, nameof(ClipSeconds), ClipSeconds, "in [0.5, 4] s");
        foreach ((string name, int value) in new[] { (nameof(TrainClips), TrainClips), (nameof(ValidationClips), ValidationClips), (nameof(TestClips), TestClips) })
            Check(value is >= 0 and < ClipSeeds.MaxClipsPerSplit, name, value, $"in [0, {ClipSeeds.MaxClipsPerSplit})");
        Check(MaxEventsPerClip is >= 1 and <= 8, nameof(MaxEventsPerClip), MaxEventsPerClip, "in [1, 8]");
        Check(EmptyClipProbability is >= 0 and <= 1, nameof(EmptyClipProbability), EmptyClipProbability, "in [0, 1]");
        Check(MinSnrDb is >= -40 and <= 60 && MaxSnrDb >= MinSnrDb && MaxSnrDb <= 60, nameof(MinSnrDb) + "/" + nameof(MaxSnrDb), $"{MinSnrDb}..{MaxSnrDb}", "-40 <= min <= max <= 60 dB");
        Check(MinRt60Seconds is >= 0.05 and <= 3 && MaxRt60Seconds >= MinRt60Seconds && MaxRt60Seconds <= 3, nameof(MinRt60Seconds) + "/" + nameof(MaxRt60Seconds), $"{MinRt60Seconds}..{MaxRt60Seconds}", "0.05 <= min <= max <= 3 s");
        Check(MinWet is >= 0 and <= 1 && MaxWet >= MinWet && MaxWet <= 1, nameof(MinWet) + "/" + nameof(MaxWet), $"{MinWet}..{MaxWet}", "0 <= min <= max <= 1");
    }

    private static void Check(bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"SyntheticEventsOptions.{name} must be {expected}.");
    }
}
