using AecOfa.Nas.Space;

namespace AecOfa.Benchmarks;

/// <summary>
/// Architecture of one OFA-MobileNetV3 "reference subnet" of the CPU-speed issue, ported from
/// /work/shared/peers/torch/Model.cs (SubnetSpec): uniform depth d, expand ratio e and kernel k on a 1x64x100 input.
/// </summary>
public sealed record ReferenceSubnetSpec(string Name, int Depth, int Expand, int Kernel)
{
    public static readonly int[] Widths = { 24, 40, 80, 112, 160 };
    public static readonly int[] Strides = { 2, 2, 2, 1, 2 };
    public static readonly bool[] Hswish = { false, false, true, true, true };
    public static readonly bool[] UseSe = { false, true, false, true, true };
    public const int Stem = 16, FinalExpand = 960, FeatureMix = 1280;
    public const int InputH = 64, InputW = 100, Classes = 10;

    public static readonly ReferenceSubnetSpec Largest = new("largest", Depth: 4, Expand: 6, Kernel: 7);
    public static readonly ReferenceSubnetSpec Smallest = new("smallest", Depth: 2, Expand: 3, Kernel: 3);

    /// <summary>Parameter counts the peer (and flops.py) give for these subnets.</summary>
    public long ExpectedParameters => Name switch
    {
        "largest" => 6_396_282,
        "smallest" => 2_142_314,
        _ => throw new InvalidOperationException($"No expected parameter count for subnet '{Name}'."),
    };

    /// <summary>Multiply-accumulates per example that flops.py gives for these subnets (on 1x64x100).</summary>
    public long ExpectedMacs => Name switch
    {
        "largest" => 80_916_672,
        "smallest" => 17_536_992,
        _ => throw new InvalidOperationException($"No expected MAC count for subnet '{Name}'."),
    };

    /// <summary>The same subnet as a configuration of the product's search space (uniform depth, kernel, expand).</summary>
    public ArchConfig ToArchConfig(ArchSpace space) => ArchConfig.Uniform(space, Depth, Kernel, Expand);

    public static ReferenceSubnetSpec ByName(string name) => name switch
    {
        "largest" => Largest,
        "smallest" => Smallest,
        _ => throw new ArgumentException($"Unknown reference subnet '{name}': expected 'largest' or 'smallest'.", nameof(name)),
    };

    /// <summary>make_divisible(v, 8) exactly as flops.py's md().</summary>
    public static int MakeDivisible(double v, int divisor = 8)
    {
        int n = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        return n < 0.9 * v ? n + divisor : n;
    }
}
