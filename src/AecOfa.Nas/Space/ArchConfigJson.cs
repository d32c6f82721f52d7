using System.Text.Json;

namespace AecOfa.Nas.Space;

/// <summary>The JSON shape of an <see cref="ArchConfig"/> and its parser (nullable fields so that a missing field
/// is reported by name rather than read as 0).</summary>
internal static class ArchConfigJson
{
    internal sealed class Config
    {
        public Input? Input { get; set; }
        public List<Stage>? Stages { get; set; }
    }

    internal sealed class Input
    {
        public int? MelBins { get; set; }
        public int? HopFactor { get; set; }
    }

    internal sealed class Stage
    {
        public int? Depth { get; set; }
        public List<Block>? Blocks { get; set; }
    }

    internal sealed class Block
    {
        public int? Kernel { get; set; }
        public int? Expand { get; set; }
    }

    public static ArchConfig Parse(string json, ArchSpace space)
    {
        space.Validate();
        Config? dto;
        try
        {
            dto = JsonSerializer.Deserialize<Config>(json, NasJson.Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"ArchConfig JSON: {e.Message}", e);
        }
        if (dto is null) throw Bad("expected an object, got null");
        if (dto.Stages is null) throw Bad("stages is missing");
        if (dto.Stages.Count != space.StageCount) throw Bad($"stages has {dto.Stages.Count} entries; the space has {space.StageCount} stages");

        // Absent input = the space's nominal resolution (the only one when the resolution is not elastic).
        int melBins = dto.Input?.MelBins ?? space.Input.MelBins;
        int hopFactor = dto.Input?.HopFactor ?? 1;

        int slots = space.MaxDepth;
        var depths = new int[space.StageCount];
        var kernels = new int[space.BlockSlots];
        var expands = new int[space.BlockSlots];
        for (int s = 0; s < dto.Stages.Count; s++)
        {
            var st = dto.Stages[s] ?? throw Bad($"stages[{s}] is null");
            int depth = st.Depth ?? throw Bad($"stages[{s}].depth is missing");
            if (!space.DepthChoices.Contains(depth)) throw Bad(ArchConfig.NotOneOf($"stages[{s}].depth", depth, space.DepthChoices));
            var blocks = st.Blocks ?? throw Bad($"stages[{s}].blocks is missing");
            if (blocks.Count != depth) throw Bad($"stages[{s}].blocks has {blocks.Count} entries but stages[{s}].depth = {depth}");
            depths[s] = depth;
            for (int b = 0; b < depth; b++)
            {
                var bl = blocks[b] ?? throw Bad($"stages[{s}].blocks[{b}] is null");
                kernels[s * slots + b] = bl.Kernel ?? throw Bad($"stages[{s}].blocks[{b}].kernel is missing");
                expands[s * slots + b] = bl.Expand ?? throw Bad($"stages[{s}].blocks[{b}].expand is missing");
            }
        }
        var config = new ArchConfig(depths, kernels, expands, melBins, hopFactor);
        if (!config.TryValidate(space, out string? error)) throw Bad(error!);
        return config;
    }

    private static FormatException Bad(string message) => new($"ArchConfig JSON: {message}");
}
