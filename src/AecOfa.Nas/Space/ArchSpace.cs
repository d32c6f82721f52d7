using System.Collections.Immutable;
using System.Numerics;
using System.Text.Json;
using AecOfa.Engine.IO;
using System.Text.Json.Serialization;

namespace AecOfa.Nas.Space;

/// <summary>
/// The search space: the fixed structure of the OFA-MobileNetV3 supernet adapted to log-mel input, plus the choice
/// sets of the elastic genes. A plain configuration record (JSON round-trip); <c>new ArchSpace()</c> is the default
/// space of METHOD.md §2 on a 1×64×100 input with 10 classes.
///
/// Structure: stem conv3×3 stride 2 (1→stem, h-swish) → fixed first block (dw3×3 + ReLU, pw stem→stem, residual) →
/// <see cref="Stages"/> of MBConv blocks (first block of a stage has the stage stride; the first
/// <c>depth</c> of <see cref="MaxDepth"/> blocks run) → 1×1 final expand (h-swish) → global average pool →
/// linear feature mix without bias (h-swish) → dropout → linear classifier.
///
/// Width multiplier: a property of the SPACE (and so of the supernet built from it), not a gene. OFA builds its
/// supernet for one width multiplier because every weight is shared at the largest size; making width a gene would
/// change every layer's input slice at once and couple all stages. A smaller regime comes from a separate supernet
/// built from <c>space with { WidthMultiplier = 0.5 }</c>, or from elastic input resolution (<see cref="InputSpec"/>).
/// The multiplier scales every width as OFA's ofa_mbv3 does: stem, stage widths, final expand and feature mix, each
/// through make_divisible(base × multiplier, 8) (<see cref="Scaled"/>). At 1.0 every default width is unchanged.
/// </summary>
public sealed record ArchSpace
{
    public InputSpec Input { get; init; } = new();

    /// <summary>Stem and first-block width (base, before the multiplier).</summary>
    public int StemWidth { get; init; } = 16;

    public ImmutableArray<StageSpec> Stages { get; init; } =
    [
        new(24, 2, Activation.Relu, false),
        new(40, 2, Activation.Relu, true),
        new(80, 2, Activation.Hswish, false),
        new(112, 1, Activation.Hswish, true),
        new(160, 2, Activation.Hswish, true),
    ];

    /// <summary>Block slots per stage (the supernet holds this many blocks per stage).</summary>
    public int MaxDepth { get; init; } = 4;

    public ImmutableArray<int> KernelChoices { get; init; } = [3, 5, 7];
    public ImmutableArray<int> ExpandChoices { get; init; } = [3, 4, 6];
    public ImmutableArray<int> DepthChoices { get; init; } = [2, 3, 4];

    /// <summary>Scales every width (see the type's remarks); a space setting, not a gene.</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Output channels of the final 1×1 expand (base, before the multiplier).</summary>
    public int FinalExpandWidth { get; init; } = 960;

    /// <summary>Output features of the feature-mix linear layer (base, before the multiplier).</summary>
    public int FeatureMixWidth { get; init; } = 1280;

    public int Classes { get; init; } = 10;
    public double Dropout { get; init; } = 0.1;

    /// <summary>The default space (METHOD.md §2 on 1×64×100, 10 classes, width multiplier 1.0).</summary>
    public static ArchSpace Default { get; } = new();

    [JsonIgnore] public int StageCount => Stages.Length;

    /// <summary>Number of block genes: StageCount × MaxDepth (a config stores kernel and expand for each slot).</summary>
    [JsonIgnore] public int BlockSlots => Stages.Length * MaxDepth;

    /// <summary>make_divisible(baseWidth × WidthMultiplier, 8).</summary>
    public int Scaled(int baseWidth) => Channels.MakeDivisible(baseWidth * WidthMultiplier);

    [JsonIgnore] public int StemChannels => Scaled(StemWidth);
    public int StageChannels(int stage) => Scaled(Stages[stage].Width);
    [JsonIgnore] public int FinalExpandChannels => Scaled(FinalExpandWidth);
    [JsonIgnore] public int FeatureMixChannels => Scaled(FeatureMixWidth);

    /// <summary>
    /// Number of DISTINCT sub-networks: only active blocks count, so a stage contributes
    /// Σ_{d ∈ depths} (|kernels|·|expands|)^d, stages multiply, and the resolution genes multiply that.
    /// For the default space this is 7371^5 ≈ 2.18e19 (OFA reports ~2e19).
    /// </summary>
    public BigInteger CountSubnets()
    {
        Validate();
        BigInteger perBlock = KernelChoices.Length * ExpandChoices.Length;
        BigInteger perStage = BigInteger.Zero;
        foreach (int d in DepthChoices) perStage += BigInteger.Pow(perBlock, d);
        return BigInteger.Pow(perStage, Stages.Length) * Input.MelBinSet.Length * Input.HopFactorSet.Length;
    }

    /// <summary>Checks the space's own consistency; throws <see cref="ArgumentException"/> naming the field.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"Invalid ArchSpace: {message}");
        }
        static void RequireSet(ImmutableArray<int> set, string name, Func<int, bool> valid, string what)
        {
            Require(!set.IsDefaultOrEmpty, $"{name} must not be empty");
            for (int i = 0; i < set.Length; i++)
            {
                Require(valid(set[i]), $"{name}[{i}] = {set[i]} must be {what}");
                for (int j = 0; j < i; j++) Require(set[j] != set[i], $"{name}[{i}] = {set[i]} is a duplicate");
            }
        }

        Require(Input is not null, "input is missing");
        Require(Input!.MelBins >= 1, $"input.melBins = {Input.MelBins} must be >= 1");
        Require(Input.Frames >= 1, $"input.frames = {Input.Frames} must be >= 1");
        RequireSet(Input.MelBinSet, "input.melBinChoices", v => v >= 1, ">= 1");
        RequireSet(Input.HopFactorSet, "input.hopFactorChoices", v => v >= 1, ">= 1");
        Require(StemWidth >= 1, $"stemWidth = {StemWidth} must be >= 1");
        Require(!Stages.IsDefaultOrEmpty, "stages must not be empty");
        for (int s = 0; s < Stages.Length; s++)
        {
            var st = Stages[s];
            Require(st is not null, $"stages[{s}] is missing");
            Require(st!.Width >= 1, $"stages[{s}].width = {st.Width} must be >= 1");
            Require(st.Stride is 1 or 2, $"stages[{s}].stride = {st.Stride} is not one of {{1, 2}}");
            Require(Enum.IsDefined(st.Activation), $"stages[{s}].activation = {st.Activation} is not a known activation");
        }
        Require(MaxDepth >= 1, $"maxDepth = {MaxDepth} must be >= 1");
        RequireSet(KernelChoices, "kernelChoices", k => k >= 1 && k % 2 == 1, "an odd number >= 1");
        RequireSet(ExpandChoices, "expandChoices", e => e >= 1, ">= 1");
        RequireSet(DepthChoices, "depthChoices", d => d >= 1 && d <= MaxDepth, $"in 1..maxDepth ({MaxDepth})");
        Require(WidthMultiplier > 0 && double.IsFinite(WidthMultiplier), $"widthMultiplier = {WidthMultiplier} must be a positive number");
        Require(FinalExpandWidth >= 1, $"finalExpandWidth = {FinalExpandWidth} must be >= 1");
        Require(FeatureMixWidth >= 1, $"featureMixWidth = {FeatureMixWidth} must be >= 1");
        Require(Classes >= 1, $"classes = {Classes} must be >= 1");
        Require(Dropout >= 0 && Dropout < 1, $"dropout = {Dropout} must be in [0, 1)");
    }

    public string ToJson() => JsonSerializer.Serialize(this, NasJson.Options);

    /// <summary>Parses and validates a space; unknown fields are errors (they are usually typos).</summary>
    public static ArchSpace FromJson(string json)
    {
        ArchSpace? space;
        try
        {
            space = JsonSerializer.Deserialize<ArchSpace>(json, NasJson.Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"ArchSpace JSON: {e.Message}", e);
        }
        if (space is null) throw new FormatException("ArchSpace JSON: expected an object, got null");
        space.Validate();
        return space;
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static ArchSpace Load(string path)
    {
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    public bool Equals(ArchSpace? other) =>
        other is not null && Input.Equals(other.Input) && StemWidth == other.StemWidth
        && Stages.SequenceEqual(other.Stages) && MaxDepth == other.MaxDepth
        && KernelChoices.SequenceEqual(other.KernelChoices) && ExpandChoices.SequenceEqual(other.ExpandChoices)
        && DepthChoices.SequenceEqual(other.DepthChoices) && WidthMultiplier.Equals(other.WidthMultiplier)
        && FinalExpandWidth == other.FinalExpandWidth && FeatureMixWidth == other.FeatureMixWidth
        && Classes == other.Classes && Dropout.Equals(other.Dropout);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Input);
        h.Add(StemWidth);
        foreach (var s in Stages) h.Add(s);
        h.Add(MaxDepth);
        foreach (int k in KernelChoices) h.Add(k);
        foreach (int e in ExpandChoices) h.Add(e);
        foreach (int d in DepthChoices) h.Add(d);
        h.Add(WidthMultiplier);
        h.Add(FinalExpandWidth);
        h.Add(FeatureMixWidth);
        h.Add(Classes);
        h.Add(Dropout);
        return h.ToHashCode();
    }
}
