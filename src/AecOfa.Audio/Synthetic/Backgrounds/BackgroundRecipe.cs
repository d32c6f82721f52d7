namespace AecOfa.Audio.Synthetic.Backgrounds;

/// <summary>
/// Everything that decides a background: its bed, optional mains hum (<paramref name="HumHz"/> 0 = none) at
/// <paramref name="HumLevelDb"/> relative to the bed's power, and the seed of its noise.
/// </summary>
public sealed record BackgroundRecipe(BackgroundKind Kind, double HumHz, double HumLevelDb, int Seed);
