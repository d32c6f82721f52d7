using AecOfa.Nas.Space;

namespace AecOfa.Pipelines;

/// <summary>The search space a run trains, sized to its data.</summary>
public static class SpaceFactory
{
    /// <summary>
    /// The OFA MobileNetV3 space at <paramref name="widthMultiplier"/> on (melBins × frames) inputs with
    /// <paramref name="classes"/> outputs; with <paramref name="elasticResolution"/> the mel bins {B, 3B/4, B/2} and the
    /// frame hop x{1, 2} are genes too (METHOD.md §3: input resolution is a strong lever at small budgets).
    /// </summary>
    /// <param name="widthMultiplier">Channel width multiplier of the space.</param>
    /// <param name="elasticResolution">Whether the mel bins and frame hop are genes too.</param>
    /// <param name="melBins">Mel bins of the front end (the nominal input height).</param>
    /// <param name="frames">Frames of one clip (the nominal input width).</param>
    /// <param name="classes">Number of outputs.</param>
    /// <param name="template">The structure (stages, choices, input choices) to use instead of the OFA default; its
    /// width multiplier, input size and classes are replaced by the arguments.</param>
    public static ArchSpace ForData(double widthMultiplier, bool elasticResolution, int melBins, int frames, int classes, ArchSpace? template = null)
    {
        var baseSpace = (template ?? ArchSpace.Default) with { WidthMultiplier = widthMultiplier };
        var input = elasticResolution && template is null
            ? new InputSpec { MelBinChoices = [.. new[] { melBins, Math.Max(1, melBins * 3 / 4), Math.Max(1, melBins / 2) }.Distinct()], HopFactorChoices = [1, 2] }
            : baseSpace.Input;
        input = input with { MelBins = melBins, Frames = frames };
        if (!input.MelBinChoices.IsDefaultOrEmpty && !input.MelBinChoices.Contains(melBins))
            throw new ArgumentException($"The space's mel-bin choices ({string.Join(", ", input.MelBinChoices)}) must include the features' {melBins} bins.");
        var space = baseSpace with { Input = input, Classes = classes };
        space.Validate();
        return space;
    }
}
