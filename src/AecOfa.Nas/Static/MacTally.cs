using AecOfa.Engine;
using AecOfa.Engine.Nn;

namespace AecOfa.Nas.Static;

/// <summary>
/// Multiply-accumulates of one example, reported by each layer of a <see cref="StaticMbv3Network"/> while it runs,
/// from its actual weight shape and the output size it produced: a convolution counts weight elements × output
/// height × width, a linear layer its weight elements. The independent check of <see cref="Flops.FlopsCounter"/>.
/// </summary>
public sealed class MacTally
{
    private readonly List<(string Layer, long Macs)> _entries = [];

    /// <summary>Total MACs per example so far.</summary>
    public long Macs { get; private set; }

    public IReadOnlyList<(string Layer, long Macs)> Entries => _entries;

    internal void Conv(string layer, Conv2d conv, Tensor output) => Add(layer, (long)conv.Weight.Numel * output.Shape[2] * output.Shape[3]);

    internal void Linear(string layer, Linear linear) => Add(layer, linear.Weight.Numel);

    private void Add(string layer, long macs)
    {
        _entries.Add((layer, macs));
        Macs += macs;
    }
}
