using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace AecOfa.Nas.Space;

/// <summary>
/// The log-mel input: nominal size (mel bins × frames, one channel) and, optionally, elastic resolution.
/// Elastic resolution (METHOD.md §3: mel-bin count and hop are strong levers for audio) adds two genes to every
/// <see cref="ArchConfig"/>: a mel-bin count taken from <see cref="MelBinChoices"/>, and an integer hop factor f from
/// <see cref="HopFactorChoices"/> meaning "frames are hopped f times further", i.e. <see cref="FramesAt"/>(f) =
/// ceil(Frames / f) frames (what keeping every f-th frame, or a front end with an f-times larger hop, produces).
/// Empty choice lists mean "fixed": the only mel-bin count is <see cref="MelBins"/> and the only hop factor is 1.
/// The supernet is fully convolutional up to global pooling, so one set of weights serves every resolution.
/// </summary>
public sealed record InputSpec
{
    /// <summary>Nominal mel bins (height of the input).</summary>
    public int MelBins { get; init; } = 64;

    /// <summary>Nominal frames at hop factor 1 (width of the input).</summary>
    public int Frames { get; init; } = 100;

    /// <summary>Elastic mel-bin counts; empty = fixed at <see cref="MelBins"/>.</summary>
    public ImmutableArray<int> MelBinChoices { get; init; } = [];

    /// <summary>Elastic hop factors (1 = nominal hop); empty = fixed at 1.</summary>
    public ImmutableArray<int> HopFactorChoices { get; init; } = [];

    /// <summary>The mel-bin gene's allowed values (never empty).</summary>
    [JsonIgnore] public ImmutableArray<int> MelBinSet => MelBinChoices.IsDefaultOrEmpty ? [MelBins] : MelBinChoices;

    /// <summary>The hop-factor gene's allowed values (never empty).</summary>
    [JsonIgnore] public ImmutableArray<int> HopFactorSet => HopFactorChoices.IsDefaultOrEmpty ? [1] : HopFactorChoices;

    /// <summary>Whether the resolution is an elastic dimension of the space.</summary>
    [JsonIgnore] public bool IsElastic => MelBinSet.Length > 1 || HopFactorSet.Length > 1;

    /// <summary>Frames of the input at hop factor <paramref name="hopFactor"/>: ceil(Frames / hopFactor).</summary>
    public int FramesAt(int hopFactor)
    {
        if (hopFactor < 1) throw new ArgumentOutOfRangeException(nameof(hopFactor), hopFactor, "hop factor must be >= 1");
        return (Frames + hopFactor - 1) / hopFactor;
    }

    public bool Equals(InputSpec? other) =>
        other is not null && MelBins == other.MelBins && Frames == other.Frames
        && MelBinSet.SequenceEqual(other.MelBinSet) && HopFactorSet.SequenceEqual(other.HopFactorSet);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(MelBins);
        h.Add(Frames);
        foreach (int m in MelBinSet) h.Add(m);
        h.Add(-1);
        foreach (int f in HopFactorSet) h.Add(f);
        return h.ToHashCode();
    }
}
