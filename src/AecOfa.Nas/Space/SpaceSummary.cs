using System.Globalization;
using System.Numerics;
using System.Text;
using AecOfa.Nas.Flops;

namespace AecOfa.Nas.Space;

/// <summary>One line of a <see cref="SpaceSummary"/>: a space variant on one input and its extreme sub-networks.</summary>
/// <param name="Label">What the variant is ("space", "width x0.5", ...).</param>
/// <param name="Space">The space of the variant (a different width multiplier is a different supernet).</param>
/// <param name="Input">"64x100" for a fixed input; "elastic" when the extremes use the resolution genes.</param>
/// <param name="Subnets">Number of distinct sub-networks of the variant.</param>
/// <param name="SmallestConfig">The smallest sub-network.</param>
/// <param name="Smallest">Its MACs and parameters.</param>
/// <param name="LargestConfig">The largest sub-network.</param>
/// <param name="Largest">Its MACs and parameters.</param>
public sealed record SpaceSummaryRow(string Label, ArchSpace Space, string Input, BigInteger Subnets,
    ArchConfig SmallestConfig, SubnetCost Smallest, ArchConfig LargestConfig, SubnetCost Largest);

/// <summary>
/// What `aecofa space` prints: the size of the space and the MACs/params of its smallest and largest sub-networks,
/// for the space itself and for the ultra-small regime (a 0.5 width-multiplier supernet, a halved input resolution —
/// half the mel bins, hop factor 2 — and both together).
/// </summary>
public sealed class SpaceSummary
{
    public SpaceSummary(ArchSpace space, IReadOnlyList<SpaceSummaryRow> rows)
    {
        Space = space;
        Rows = rows;
    }

    public ArchSpace Space { get; }
    public IReadOnlyList<SpaceSummaryRow> Rows { get; }

    public static SpaceSummary Create(ArchSpace space)
    {
        space.Validate();
        var rows = new List<SpaceSummaryRow> { Row("space", space, null) };
        int halfMel = Math.Max(1, space.Input.MelBins / 2), halfFrames = space.Input.FramesAt(2);
        var half = (halfMel, halfFrames);
        var narrow = space with { WidthMultiplier = 0.5 };
        if (space.WidthMultiplier != 0.5) rows.Add(Row("width x0.5", narrow, (space.Input.MelBins, space.Input.Frames)));
        rows.Add(Row($"width x{Fmt(space.WidthMultiplier)}, half resolution", space, half));
        if (space.WidthMultiplier != 0.5) rows.Add(Row("width x0.5, half resolution", narrow, half));
        return new SpaceSummary(space, rows);
    }

    private static SpaceSummaryRow Row(string label, ArchSpace space, (int Mel, int Frames)? input)
    {
        var counter = new FlopsCounter(space);
        var min = ArchConfig.Min(space);
        var max = ArchConfig.Max(space);
        SubnetCost Cost(ArchConfig c) => input is { } i ? counter.Count(c, i.Mel, i.Frames) : counter.Count(c);
        string inputText = input is { } fixedInput ? $"{fixedInput.Mel}x{fixedInput.Frames}"
            : space.Input.IsElastic ? "elastic" : $"{space.Input.MelBins}x{space.Input.Frames}";
        // The resolution genes do not change the network, so a fixed-input row counts only the network genes.
        var subnets = space.CountSubnets();
        if (input is not null) subnets /= space.Input.MelBinSet.Length * space.Input.HopFactorSet.Length;
        return new SpaceSummaryRow(label, space, inputText, subnets, min, Cost(min), max, Cost(max));
    }

    public string ToText()
    {
        var sb = new StringBuilder();
        var s = Space;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Search space: {s.StageCount} elastic stages x up to {s.MaxDepth} blocks; kernel {{{string.Join(", ", s.KernelChoices)}}}, " +
            $"expand {{{string.Join(", ", s.ExpandChoices)}}}, depth {{{string.Join(", ", s.DepthChoices)}}}; width x{Fmt(s.WidthMultiplier)}; " +
            $"input {s.Input.MelBins}x{s.Input.Frames}, mel bins {{{string.Join(", ", s.Input.MelBinSet)}}}, hop factors {{{string.Join(", ", s.Input.HopFactorSet)}}}; {s.Classes} classes");
        var n = s.CountSubnets();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Distinct sub-networks: {n.ToString("N0", CultureInfo.InvariantCulture)} ({(double)n:0.00e+00})");
        sb.AppendLine("MACs = multiply-accumulates per example (FLOPs = 2 x MACs); params include BN scale/shift.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"variant",-34} {"input",-8} {"smallest MMACs",15} {"params",11} {"largest MMACs",15} {"params",11}");
        foreach (var r in Rows)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Label,-34} {r.Input,-8} {r.Smallest.Macs / 1e6,15:F2} {r.Smallest.Params,11:N0} {r.Largest.Macs / 1e6,15:F2} {r.Largest.Params,11:N0}");
        return sb.ToString();
    }

    public override string ToString() => ToText();

    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
