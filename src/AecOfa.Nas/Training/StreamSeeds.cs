namespace AecOfa.Nas.Training;

/// <summary>
/// Independent random streams derived from (seed, stream, index) by SplitMix64, so every random choice of step s is a
/// pure function of the seed and s: a resumed run draws exactly what an uninterrupted one draws. (HashCode is not
/// used: it is randomized per process.)
/// </summary>
internal static class StreamSeeds
{
    public const ulong Shuffle = 1, Sampling = 2, Dropout = 3, Augmentation = 4;

    public static Random Create(int seed, ulong stream, long index) => new(Derive(seed, stream, index));

    public static int Derive(int seed, ulong stream, long index)
    {
        ulong z = Mix((ulong)(uint)seed) ^ Mix(stream * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL) ^ Mix((ulong)index + 0xD1B54A32D192ED03UL);
        return (int)(Mix(z) & 0x7FFFFFFF);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
