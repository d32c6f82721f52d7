namespace AecOfa.Audio.Synthetic.Backgrounds;

/// <summary>The broadband bed of a background. Mains hum is an optional extra on top (see <see cref="BackgroundRecipe"/>).</summary>
public enum BackgroundKind
{
    PinkNoise,
    BrownNoise,
    Babble,
}
