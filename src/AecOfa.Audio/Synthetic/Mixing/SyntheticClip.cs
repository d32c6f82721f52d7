namespace AecOfa.Audio.Synthetic.Mixing;

/// <summary>
/// One mixed event as it ended up in the clip (after reverb, SNR scaling and the final peak normalization).
/// <see cref="Signal"/>[i] is the event's contribution to clip sample <see cref="Onset"/> + i; it covers the active span
/// (<see cref="ActiveLength"/> samples: the dry event as synthesized, cut at the clip end) plus the reverb tail that fits.
/// </summary>
public sealed record RenderedEvent(string ClassName, int ClassIndex, int Onset, int ActiveLength, double SnrDb, float[] Signal);

/// <summary>
/// A rendered clip with its parts: <see cref="Audio"/> = <see cref="Background"/> + every <see cref="RenderedEvent.Signal"/>
/// at its onset, summed in that order in float (so the parts add up to the mixture bitwise).
/// </summary>
public sealed record SyntheticClip(AudioClip Audio, string[] Labels, float[] Background, IReadOnlyList<RenderedEvent> Events, ClipRecipe Recipe);
