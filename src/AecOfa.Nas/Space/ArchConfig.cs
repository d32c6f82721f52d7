using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using AecOfa.Engine.IO;

namespace AecOfa.Nas.Space;

/// <summary>
/// One sub-network of an <see cref="ArchSpace"/>: a depth per stage, a kernel size and an expand ratio per block
/// slot (StageCount × MaxDepth slots, flat index stage × MaxDepth + block), and the two resolution genes.
/// Immutable, with value equality over all genes.
///
/// Inactive blocks (block ≥ depth of its stage) do not exist in the network, so their genes are CANONICALIZED to 0
/// by the constructor, whatever the caller passed: two configs describing the same network are equal and hash
/// alike, which the search's de-duplication relies on. Operators that activate a block (mutation raising a depth,
/// crossover) sample fresh genes for it. A 0 gene also fails loudly if something uses an inactive block by mistake.
///
/// Resolution genes are always present: <see cref="MelBins"/> and <see cref="HopFactor"/>. In a space without elastic
/// resolution they must be the space's nominal mel bins and 1, so there is still only one representation.
/// </summary>
public sealed record ArchConfig
{
    private readonly int[] _depths;
    private readonly int[] _kernels;
    private readonly int[] _expands;

    /// <summary>Builds a config; genes of inactive slots are ignored and stored as 0. Gene values are checked against
    /// a space by <see cref="Validate"/>; this constructor checks only the shape.</summary>
    /// <param name="depths">Depth per stage (0..maxDepth).</param>
    /// <param name="kernels">Kernel per block slot, stage-major; its length / depths.Length is the max depth.</param>
    /// <param name="expands">Expand ratio per block slot, same layout as <paramref name="kernels"/>.</param>
    /// <param name="melBins">Resolution gene: mel bins the network sees.</param>
    /// <param name="hopFactor">Resolution gene: frames averaged into one.</param>
    public ArchConfig(ReadOnlySpan<int> depths, ReadOnlySpan<int> kernels, ReadOnlySpan<int> expands, int melBins, int hopFactor)
    {
        if (depths.Length == 0) throw new ArgumentException("depths must have one entry per stage, got none", nameof(depths));
        if (kernels.Length == 0 || kernels.Length % depths.Length != 0)
            throw new ArgumentException($"kernels has {kernels.Length} entries; expected stages ({depths.Length}) × max depth", nameof(kernels));
        if (expands.Length != kernels.Length)
            throw new ArgumentException($"expands has {expands.Length} entries; expected {kernels.Length} like kernels", nameof(expands));
        int maxDepth = kernels.Length / depths.Length;
        _depths = depths.ToArray();
        _kernels = new int[kernels.Length];
        _expands = new int[kernels.Length];
        for (int s = 0; s < _depths.Length; s++)
        {
            if (_depths[s] < 0 || _depths[s] > maxDepth)
                throw new ArgumentException($"depths[{s}] = {_depths[s]} is outside 0..{maxDepth} (the block slots per stage)", nameof(depths));
            for (int b = 0; b < _depths[s]; b++)
            {
                _kernels[s * maxDepth + b] = kernels[s * maxDepth + b];
                _expands[s * maxDepth + b] = expands[s * maxDepth + b];
            }
        }
        MelBins = melBins;
        HopFactor = hopFactor;
    }

    public int StageCount => _depths.Length;
    public int MaxDepth => _kernels.Length / _depths.Length;
    public ReadOnlySpan<int> Depths => _depths;

    /// <summary>Kernel per slot (stage × MaxDepth + block); 0 for inactive slots.</summary>
    public ReadOnlySpan<int> Kernels => _kernels;

    /// <summary>Expand ratio per slot (stage × MaxDepth + block); 0 for inactive slots.</summary>
    public ReadOnlySpan<int> Expands => _expands;

    /// <summary>Mel bins of the input (resolution gene).</summary>
    public int MelBins { get; }

    /// <summary>Frame hop factor of the input (resolution gene; 1 = nominal hop).</summary>
    public int HopFactor { get; }

    public int Depth(int stage) => _depths[stage];
    public bool IsActive(int stage, int block) => block < _depths[stage];
    public int Kernel(int stage, int block) => _kernels[Slot(stage, block)];
    public int Expand(int stage, int block) => _expands[Slot(stage, block)];

    /// <summary>Total active blocks over all stages.</summary>
    public int ActiveBlocks
    {
        get
        {
            int n = 0;
            foreach (int d in _depths) n += d;
            return n;
        }
    }

    /// <summary>Frames of the input this config runs on (ceil(space frames / hop factor)).</summary>
    public int Frames(ArchSpace space) => space.Input.FramesAt(HopFactor);

    public ArchConfig WithResolution(int melBins, int hopFactor) => new(_depths, _kernels, _expands, melBins, hopFactor);

    private int Slot(int stage, int block)
    {
        if ((uint)stage >= (uint)_depths.Length) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stage must be in 0..{_depths.Length - 1}");
        if ((uint)block >= (uint)MaxDepth) throw new ArgumentOutOfRangeException(nameof(block), block, $"block must be in 0..{MaxDepth - 1}");
        return stage * MaxDepth + block;
    }

    // ---- factories -------------------------------------------------------------------------------------------

    /// <summary>Every stage at <paramref name="depth"/>, every block at (<paramref name="kernel"/>,
    /// <paramref name="expand"/>); resolution defaults to the largest (most mel bins, hop factor of the smallest).</summary>
    public static ArchConfig Uniform(ArchSpace space, int depth, int kernel, int expand, int? melBins = null, int? hopFactor = null)
    {
        space.Validate();
        var depths = Enumerable.Repeat(depth, space.StageCount).ToArray();
        var kernels = Enumerable.Repeat(kernel, space.BlockSlots).ToArray();
        var expands = Enumerable.Repeat(expand, space.BlockSlots).ToArray();
        var config = new ArchConfig(depths, kernels, expands,
            melBins ?? space.Input.MelBinSet.Max(), hopFactor ?? space.Input.HopFactorSet.Min());
        config.Validate(space);
        return config;
    }

    /// <summary>The largest sub-network: max depth, kernel and expand; most mel bins; smallest hop factor.</summary>
    public static ArchConfig Max(ArchSpace space) =>
        Uniform(space, space.DepthChoices.Max(), space.KernelChoices.Max(), space.ExpandChoices.Max(),
            space.Input.MelBinSet.Max(), space.Input.HopFactorSet.Min());

    /// <summary>The smallest sub-network: min depth, kernel and expand; fewest mel bins; largest hop factor.</summary>
    public static ArchConfig Min(ArchSpace space) =>
        Uniform(space, space.DepthChoices.Min(), space.KernelChoices.Min(), space.ExpandChoices.Min(),
            space.Input.MelBinSet.Min(), space.Input.HopFactorSet.Max());

    // ---- validation -------------------------------------------------------------------------------------------

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad gene, e.g.
    /// "stages[2].blocks[1].kernel = 4 is not one of {3, 5, 7}".</summary>
    public void Validate(ArchSpace space)
    {
        if (!TryValidate(space, out string? error)) throw new ArgumentException($"Invalid ArchConfig: {error}");
    }

    public bool TryValidate(ArchSpace space, out string? error)
    {
        error = Check(space);
        return error is null;
    }

    private string? Check(ArchSpace space)
    {
        if (StageCount != space.StageCount) return $"stages has {StageCount} entries; the space has {space.StageCount} stages";
        if (MaxDepth != space.MaxDepth) return $"config has {MaxDepth} block slots per stage; the space has maxDepth = {space.MaxDepth}";
        if (!space.Input.MelBinSet.Contains(MelBins)) return NotOneOf("input.melBins", MelBins, space.Input.MelBinSet);
        if (!space.Input.HopFactorSet.Contains(HopFactor)) return NotOneOf("input.hopFactor", HopFactor, space.Input.HopFactorSet);
        for (int s = 0; s < StageCount; s++)
        {
            if (!space.DepthChoices.Contains(_depths[s])) return NotOneOf($"stages[{s}].depth", _depths[s], space.DepthChoices);
            for (int b = 0; b < _depths[s]; b++)
            {
                int k = _kernels[s * MaxDepth + b], e = _expands[s * MaxDepth + b];
                if (!space.KernelChoices.Contains(k)) return NotOneOf($"stages[{s}].blocks[{b}].kernel", k, space.KernelChoices);
                if (!space.ExpandChoices.Contains(e)) return NotOneOf($"stages[{s}].blocks[{b}].expand", e, space.ExpandChoices);
            }
        }
        return null;
    }

    internal static string NotOneOf(string field, int value, ImmutableArray<int> allowed) =>
        $"{field} = {value} is not one of {{{string.Join(", ", allowed)}}}";

    // ---- equality and text ------------------------------------------------------------------------------------

    public bool Equals(ArchConfig? other) =>
        other is not null && MelBins == other.MelBins && HopFactor == other.HopFactor
        && _depths.AsSpan().SequenceEqual(other._depths) && _kernels.AsSpan().SequenceEqual(other._kernels)
        && _expands.AsSpan().SequenceEqual(other._expands);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(MelBins);
        h.Add(HopFactor);
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_depths.AsSpan()));
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_kernels.AsSpan()));
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_expands.AsSpan()));
        return h.ToHashCode();
    }

    /// <summary>Compact form, e.g. "d=4,4,4,4,4 k=7777|7777|... e=6666|... in=64x/1" (only active blocks).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("d=").Append(string.Join(",", _depths));
        sb.Append(" k=");
        AppendGenes(sb, _kernels);
        sb.Append(" e=");
        AppendGenes(sb, _expands);
        sb.Append(" in=").Append(MelBins).Append("x/").Append(HopFactor);
        return sb.ToString();
    }

    private void AppendGenes(StringBuilder sb, int[] genes)
    {
        for (int s = 0; s < StageCount; s++)
        {
            if (s > 0) sb.Append('|');
            for (int b = 0; b < _depths[s]; b++) sb.Append(genes[s * MaxDepth + b]);
        }
    }

    // ---- JSON -------------------------------------------------------------------------------------------------

    /// <summary>Readable JSON: {"input": {"melBins", "hopFactor"}, "stages": [{"depth", "blocks": [{"kernel",
    /// "expand"}, ...]}]} with exactly <c>depth</c> blocks per stage (inactive blocks are not written).</summary>
    public string ToJson()
    {
        var dto = new ArchConfigJson.Config
        {
            Input = new ArchConfigJson.Input { MelBins = MelBins, HopFactor = HopFactor },
            Stages = [],
        };
        for (int s = 0; s < StageCount; s++)
        {
            var stage = new ArchConfigJson.Stage { Depth = _depths[s], Blocks = [] };
            for (int b = 0; b < _depths[s]; b++)
                stage.Blocks.Add(new ArchConfigJson.Block { Kernel = _kernels[s * MaxDepth + b], Expand = _expands[s * MaxDepth + b] });
            dto.Stages.Add(stage);
        }
        return JsonSerializer.Serialize(dto, NasJson.Options);
    }

    /// <summary>Parses a config and validates it against <paramref name="space"/> (which fixes the block slots).</summary>
    public static ArchConfig FromJson(string json, ArchSpace space) => ArchConfigJson.Parse(json, space);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static ArchConfig Load(string path, ArchSpace space)
    {
        try
        {
            return FromJson(File.ReadAllText(path), space);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }
}
