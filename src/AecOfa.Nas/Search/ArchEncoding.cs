using System.Collections.Immutable;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// OFA's one-hot architecture encoding, the accuracy predictor's input. Layout (each group one-hot over the
/// space's choice list, in that list's order): the depth of every stage; then for every block slot (stage-major)
/// its kernel and its expand ratio — all zeros for an inactive slot, so configs that differ only in genes of
/// inactive blocks (the same network) encode alike; then the mel-bin gene and the hop-factor gene (a one-choice
/// gene is a constant 1, harmless).
/// </summary>
public sealed class ArchEncoding
{
    private readonly int _depths, _kernels, _expands, _slotWidth, _slotsStart, _melStart, _hopStart;

    public ArchEncoding(ArchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        Space = space;
        _depths = space.DepthChoices.Length;
        _kernels = space.KernelChoices.Length;
        _expands = space.ExpandChoices.Length;
        _slotWidth = _kernels + _expands;
        _slotsStart = space.StageCount * _depths;
        _melStart = _slotsStart + space.BlockSlots * _slotWidth;
        _hopStart = _melStart + space.Input.MelBinSet.Length;
        Length = _hopStart + space.Input.HopFactorSet.Length;
    }

    public ArchSpace Space { get; }

    /// <summary>Features per config.</summary>
    public int Length { get; }

    /// <summary>Writes the encoding of <paramref name="config"/> into the first <see cref="Length"/> floats of
    /// <paramref name="destination"/> (overwriting them). Allocation-free.</summary>
    public void Encode(ArchConfig config, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (destination.Length < Length)
            throw new ArgumentException($"destination has {destination.Length} floats; expected at least {Length}", nameof(destination));
        if (config.StageCount != Space.StageCount || config.MaxDepth != Space.MaxDepth)
            throw new ArgumentException(
                $"config has {config.StageCount} stages × {config.MaxDepth} slots; the space has {Space.StageCount} × {Space.MaxDepth}", nameof(config));
        var x = destination[..Length];
        x.Clear();
        int maxDepth = Space.MaxDepth;
        for (int s = 0; s < config.StageCount; s++)
        {
            int depth = config.Depth(s);
            x[s * _depths + IndexOf(Space.DepthChoices, depth, "depth", s, -1)] = 1f;
            for (int b = 0; b < depth; b++)
            {
                int slot = _slotsStart + (s * maxDepth + b) * _slotWidth;
                x[slot + IndexOf(Space.KernelChoices, config.Kernel(s, b), "kernel", s, b)] = 1f;
                x[slot + _kernels + IndexOf(Space.ExpandChoices, config.Expand(s, b), "expand", s, b)] = 1f;
            }
        }
        x[_melStart + IndexOf(Space.Input.MelBinSet, config.MelBins, "input.melBins", -1, -1)] = 1f;
        x[_hopStart + IndexOf(Space.Input.HopFactorSet, config.HopFactor, "input.hopFactor", -1, -1)] = 1f;
    }

    public float[] Encode(ArchConfig config)
    {
        var x = new float[Length];
        Encode(config, x);
        return x;
    }

    private static int IndexOf(ImmutableArray<int> choices, int value, string gene, int stage, int block)
    {
        int i = choices.IndexOf(value);
        if (i >= 0) return i;
        string field = stage < 0 ? gene : block < 0 ? $"stages[{stage}].{gene}" : $"stages[{stage}].blocks[{block}].{gene}";
        throw new ArgumentException($"config gene {field} = {value} is not one of {{{string.Join(", ", choices)}}} of the encoded space", "config");
    }
}
