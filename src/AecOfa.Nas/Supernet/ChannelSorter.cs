using AecOfa.Engine;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Supernet;

/// <summary>The permutations one sort applied to a block: new channel i holds old channel Middle[i] (and SE hidden
/// unit i holds old unit SeHidden[i]). A trainer that keeps optimizer state across the sort permutes it the same way.</summary>
public sealed record BlockPermutation(int Stage, int Block, int[] Middle, int[]? SeHidden);

/// <summary>
/// Re-sorts the middle (expanded) channels of every elastic block by importance, at the start of a width phase,
/// so that narrower widths — which use the FIRST channels — get the most important ones (OFA's
/// re_organize_middle_weights). Importance of a middle channel = L1 norm of its outgoing weights (its column of the
/// project 1×1 conv). One permutation is applied to every coupled tensor: expand conv output rows, expand BN
/// (scale, shift, running mean and variance), depthwise kernels, depthwise BN, SE reduce input columns, SE expand
/// output rows and bias, project conv input columns (and any gradients present), so the network computes the same
/// function afterwards.
///
/// Nesting (why <c>trainedExpandRatios</c>): channels never move across the boundary of a width that has already
/// been trained; they are sorted only WITHIN the groups those widths delimit ([0, w_1), [w_1, w_2), …,
/// [w_k, max)). So every already-trained sub-network keeps exactly its set of channels (only their order changes,
/// which it does not notice) and the new, narrower width takes the most important channels of the narrowest trained
/// group. This is the order OFA uses: its expand phase {4, 6} starts with a full sort (only width 6 trained), and
/// phase {3, 4, 6} sorts within [0, w_4) and [w_4, w_6) (OFA's "importance += base" offsets). The SE hidden units,
/// whose widths follow the middle width, are sorted the same way by the L1 norm of their outgoing SE-expand
/// weights, grouped by the SE widths of the trained middle widths — OFA sorts them fully, which silently changes
/// the already-trained narrower sub-networks; we keep them nested like the middle channels.
/// </summary>
public static class ChannelSorter
{
    /// <param name="supernet">Sorted in place.</param>
    /// <param name="trainedExpandRatios">Expand ratios whose widths are already trained; the largest ratio is always
    /// treated as trained (the full network is trained first). {max} = a full sort.</param>
    /// <param name="optimizer">When given, the optimizer state of every permuted parameter (momentum, Adam moments) is
    /// permuted with it, so the next update is the permuted update of the unsorted network.</param>
    public static IReadOnlyList<BlockPermutation> SortMiddleChannels(OfaSupernet supernet, IReadOnlyCollection<int> trainedExpandRatios,
        Engine.Optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(trainedExpandRatios);
        var space = supernet.Space;
        foreach (int e in trainedExpandRatios)
            if (!space.ExpandChoices.Contains(e))
                throw new ArgumentException(ArchConfig.NotOneOf("trainedExpandRatios", e, space.ExpandChoices), nameof(trainedExpandRatios));
        var result = new List<BlockPermutation>();
        for (int s = 0; s < space.StageCount; s++)
            for (int b = 0; b < space.MaxDepth; b++)
                result.Add(SortBlock(supernet.Block(s, b), s, b, trainedExpandRatios, optimizer));
        return result;
    }

    private static BlockPermutation SortBlock(ElasticMBConv block, int stage, int index, IReadOnlyCollection<int> trained, Engine.Optim.Optimizer? optimizer)
    {
        void Permute(Tensor t, int axis, int[] perm) => ChannelSorter.Permute(t, axis, perm, optimizer);
        void PermuteBn(ElasticBatchNorm bn, int[] perm) => ChannelSorter.PermuteBn(bn, perm, optimizer);
        int maxMid = block.MaxMiddleChannels;
        var widths = trained.Select(e => ElasticMBConv.MiddleChannels(block.MaxInChannels, e)).Append(maxMid).Distinct().Order().ToArray();

        // Importance: L1 norm of each middle channel's column of the project weight (out, maxMid, 1, 1).
        var project = block.ProjectConv.Weight;
        var importance = new double[maxMid];
        for (int o = 0; o < project.Shape[0]; o++)
            for (int c = 0; c < maxMid; c++) importance[c] += Math.Abs(project.Data[o * maxMid + c]);
        var middle = SortWithinGroups(importance, widths);

        Permute(block.ExpandConv.Weight, 0, middle);
        PermuteBn(block.ExpandBn, middle);
        Permute(block.DepthConv.Weight, 0, middle);
        PermuteBn(block.DepthBn, middle);
        Permute(project, 1, middle);

        int[]? hidden = null;
        if (block.Se is { } se)
        {
            Permute(se.Reduce.Weight, 1, middle);
            Permute(se.Expand.Weight, 0, middle);
            Permute(se.Expand.Bias!, 0, middle);

            int maxHidden = se.MaxHidden;
            var seWidths = widths.Select(Channels.SqueezeWidth).Append(maxHidden).Where(w => w <= maxHidden).Distinct().Order().ToArray();
            var expand = se.Expand.Weight; // (maxMid, maxHidden, 1, 1)
            var seImportance = new double[maxHidden];
            for (int c = 0; c < maxMid; c++)
                for (int h = 0; h < maxHidden; h++) seImportance[h] += Math.Abs(expand.Data[c * maxHidden + h]);
            hidden = SortWithinGroups(seImportance, seWidths);
            Permute(se.Reduce.Weight, 0, hidden);
            Permute(se.Reduce.Bias!, 0, hidden);
            Permute(expand, 1, hidden);
        }
        return new BlockPermutation(stage, index, middle, hidden);
    }

    /// <summary>Indices sorted by descending importance (ties by index) within each group [w_{i-1}, w_i) of the
    /// ascending boundaries <paramref name="widths"/> (the last equals the length).</summary>
    internal static int[] SortWithinGroups(double[] importance, int[] widths)
    {
        var perm = new int[importance.Length];
        int lo = 0;
        foreach (int hi in widths)
        {
            var group = Enumerable.Range(lo, hi - lo).OrderByDescending(i => importance[i]).ThenBy(i => i).ToArray();
            group.CopyTo(perm, lo);
            lo = hi;
        }
        if (lo != importance.Length) throw new InvalidOperationException($"ChannelSorter: width groups end at {lo}, expected {importance.Length}");
        return perm;
    }

    private static void PermuteBn(ElasticBatchNorm bn, int[] perm, Engine.Optim.Optimizer? optimizer)
    {
        Permute(bn.Weight, 0, perm, optimizer);
        Permute(bn.Bias, 0, perm, optimizer);
        Permute(bn.RunningMean, 0, perm, null);
        Permute(bn.RunningVar, 0, perm, null);
    }

    /// <summary>new[.., i, ..] = old[.., perm[i], ..] along <paramref name="axis"/>, for the values and any gradient.</summary>
    private static void Permute(Tensor t, int axis, int[] perm, Engine.Optim.Optimizer? optimizer)
    {
        if (t.Shape[axis] != perm.Length)
            throw new InvalidOperationException($"ChannelSorter: axis {axis} of ({string.Join(", ", t.Shape)}) has {t.Shape[axis]} entries, the permutation {perm.Length}");
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= t.Shape[i];
        for (int i = axis + 1; i < t.Rank; i++) inner *= t.Shape[i];
        PermuteData(t.Data, outer, perm, inner);
        if (t.Grad is { } g) PermuteData(g.Data, outer, perm, inner);
        if (optimizer is not null && t is Engine.Nn.Parameter p)
            foreach (var state in optimizer.StateBuffers(p)) PermuteData(state, outer, perm, inner);
    }

    private static void PermuteData(float[] data, int outer, int[] perm, int inner)
    {
        int dim = perm.Length;
        var old = (float[])data.Clone();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < dim; i++)
                Array.Copy(old, (o * dim + perm[i]) * inner, data, (o * dim + i) * inner, inner);
    }
}
