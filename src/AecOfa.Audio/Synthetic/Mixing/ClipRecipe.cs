using AecOfa.Audio.Synthetic.Backgrounds;

namespace AecOfa.Audio.Synthetic.Mixing;

/// <summary>
/// One event in a clip: its class, onset sample, target SNR (dB, over its active span, see <see cref="SyntheticClipRenderer"/>),
/// wet fraction of the room reverb (0 = dry, 1 = fully reverberant) and the seed of its synthesizer.
/// </summary>
public sealed record EventPlacement(int ClassIndex, int Onset, double SnrDb, double Wet, int Seed);

/// <summary>
/// Everything that decides one clip. Rendering a recipe is a pure function of it, so a recipe can be built by hand
/// (tests place a known event at a known onset and SNR) or drawn by <see cref="ClipRecipeSampler"/>.
/// </summary>
public sealed record ClipRecipe(int Length, BackgroundRecipe Background, RoomReverb Room, IReadOnlyList<EventPlacement> Events, double OutputPeak);
