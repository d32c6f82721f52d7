using AecOfa.Audio.Synthetic.Backgrounds;
using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Mixing;

/// <summary>
/// Draws a <see cref="ClipRecipe"/> from one seeded <see cref="Random"/>, always in the same order: background, room,
/// event count (0 with <see cref="SyntheticEventsOptions.EmptyClipProbability"/>, else uniform in 1..MaxEventsPerClip),
/// distinct classes (uniform), then per event its onset (uniform over [0, length - 0.15 s], so at least 150 ms of every
/// event is in the clip), SNR (uniform dB), wet fraction (uniform) and synthesizer seed, and last the output peak
/// (uniform 0.3-0.9, a random overall level).
/// </summary>
public static class ClipRecipeSampler
{
    public const double MinVisibleSeconds = 0.15;

    public static ClipRecipe Sample(Random rng, SyntheticEventsOptions options, int classCount)
    {
        int length = options.ClipSamples;
        BackgroundRecipe background = BackgroundSynthesizer.Sample(rng);
        RoomReverb room = RoomReverb.Sample(rng, options.MinRt60Seconds, options.MaxRt60Seconds);
        int count = rng.NextDouble() < options.EmptyClipProbability ? 0 : rng.Next(1, Math.Min(options.MaxEventsPerClip, classCount) + 1);

        // Partial Fisher-Yates: the first `count` entries are distinct classes.
        var classes = Enumerable.Range(0, classCount).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = rng.Next(i, classCount);
            (classes[i], classes[j]) = (classes[j], classes[i]);
        }
        int latestOnset = Math.Max(0, length - Tone.Samples(MinVisibleSeconds, options.SampleRate));
        var events = new EventPlacement[count];
        for (int i = 0; i < count; i++)
        {
            events[i] = new EventPlacement(classes[i], rng.Next(latestOnset + 1), rng.Uniform(options.MinSnrDb, options.MaxSnrDb),
                rng.Uniform(options.MinWet, options.MaxWet), rng.Next());
        }
        return new ClipRecipe(length, background, room, events, rng.Uniform(0.3, 0.9));
    }
}
