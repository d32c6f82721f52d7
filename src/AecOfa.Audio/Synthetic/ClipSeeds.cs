namespace AecOfa.Audio.Synthetic;

/// <summary>
/// Seed of each clip. The clip (split s, index i) gets the 31-bit number g = s * 2^29 + i: train, val and test use the
/// disjoint ranges [0, 2^29), [2^29, 2^30) and [2^30, 3 * 2^29). g goes through a bijection of [0, 2^31) keyed by the
/// dataset seed (four rounds of add-key, multiply by an odd constant, xor-shift, all mod 2^31, each invertible), so
/// within one dataset every clip of every split has its own seed of <see cref="Random"/> (non-negative: Random(int)
/// treats s and -s alike). No clip can be generated twice, while neighbouring indices still get unrelated streams.
/// </summary>
public static class ClipSeeds
{
    public const int MaxClipsPerSplit = 1 << 29;
    private const uint Mask = 0x7FFF_FFFF;

    public static int For(int datasetSeed, DatasetSplit split, int index)
    {
        if ((uint)split > 2) throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split.");
        if ((uint)index >= MaxClipsPerSplit) throw new ArgumentOutOfRangeException(nameof(index), index, $"Clip index must be in [0, {MaxClipsPerSplit}).");
        uint x = ((uint)split << 29) | (uint)index;
        ulong state = (ulong)(uint)datasetSeed;
        for (int round = 0; round < 4; round++)
        {
            x = (x + (uint)SplitMix64(ref state)) & Mask;
            x = (x * 0x2C1B_3C6Du) & Mask; // odd multiplier: invertible mod 2^31
            x ^= x >> 15;                   // invertible on 31 bits
        }
        return (int)x;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
