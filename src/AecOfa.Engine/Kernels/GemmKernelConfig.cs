using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>Which instruction set the SGEMM fast paths use. Auto picks the widest the machine accelerates.</summary>
internal enum GemmKernelPath
{
    Auto,
    Vector512,
    Vector256,
    Scalar,
}

/// <summary>Packed path or no-pack (direct) path. Auto chooses by shape.</summary>
internal enum GemmRoute
{
    Auto,
    Packed,
    Direct,
}

/// <summary>Whether the packed route computes C^T = op(B)^T op(A)^T (tiles stored transposed). Auto decides by shape.</summary>
internal enum GemmSwap
{
    Auto,
    Never,
    Always,
}

/// <summary>
/// One micro-kernel and its cache blocking (BLIS names): MR x NR register tile; KC = depth of a packed panel
/// (B micro-panel KC x NR stays in L1d); MC = rows of the packed A block (MC x KC in L2); NC = columns of the packed
/// B block (KC x NC in L3). Chosen for AMD Zen 4/5 cores (32-48 KB L1d, 1 MB L2 per core, 32 MB L3): the 8 x 32
/// Vector512 tile uses 16 of the 32 zmm registers for C and, as every register-resident tile does, two B loads and
/// one broadcast per row per k; MC = 144 rows (a multiple of 8 and 6), KC = 256 (B micro-panel 32 KB), NC = 3072.
/// On the shared build machine the 6x32, 8x32, 12x32 and 14x32 tiles measured within noise of each other at
/// 512-cubed; 8x32 was kept because the engine's channel counts are multiples of 8 (no padded rows).
/// </summary>
internal readonly unsafe struct GemmKernelConfig
{
    public readonly GemmKernelPath Path;
    public readonly int MR, NR, MC, KC, NC;
    public readonly delegate*<int, float*, float*, float*, nint, bool, void> Kernel;

    private GemmKernelConfig(GemmKernelPath path, int mr, int nr, int mc, int kc, int nc,
        delegate*<int, float*, float*, float*, nint, bool, void> kernel)
    {
        Path = path; MR = mr; NR = nr; MC = mc; KC = kc; NC = nc; Kernel = kernel;
    }

    /// <summary>The widest path this machine runs with hardware FMA vectors.</summary>
    public static GemmKernelPath BestAvailable { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernelPath.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernelPath.Vector256
        : GemmKernelPath.Scalar;

    public static bool IsSupported(GemmKernelPath path) => path switch
    {
        GemmKernelPath.Auto or GemmKernelPath.Scalar => true,
        GemmKernelPath.Vector512 => BestAvailable == GemmKernelPath.Vector512,
        GemmKernelPath.Vector256 => BestAvailable != GemmKernelPath.Scalar,
        _ => false,
    };

    public static GemmKernelConfig For(GemmKernelPath path)
    {
        if (path == GemmKernelPath.Auto) path = BestAvailable;
        if (!IsSupported(path))
            throw new PlatformNotSupportedException($"Sgemm: kernel path {path} is not hardware-accelerated on this machine.");
        return path switch
        {
            GemmKernelPath.Vector512 => new(path, 8, 32, 144, 256, 3072, &GemmMicroKernels.KernelVector512_8x32),
            GemmKernelPath.Vector256 => new(path, 6, 16, 144, 256, 3072, &GemmMicroKernels.KernelVector256_6x16),
            _ => new(path, 4, 8, 128, 256, 2048, &GemmMicroKernels.KernelScalar_4x8),
        };
    }

    /// <summary>A Vector512 configuration with another register tile (benchmarks compare them).</summary>
    internal static GemmKernelConfig Vector512Variant(int mr, int mc, int kc, int nc)
    {
        if (!IsSupported(GemmKernelPath.Vector512))
            throw new PlatformNotSupportedException("Sgemm: Vector512 is not hardware-accelerated on this machine.");
        delegate*<int, float*, float*, float*, nint, bool, void> kernel = mr switch
        {
            6 => &GemmMicroKernels.KernelVector512_6x32,
            8 => &GemmMicroKernels.KernelVector512_8x32,
            12 => &GemmMicroKernels.KernelVector512_12x32,
            14 => &GemmMicroKernels.KernelVector512_14x32,
            _ => throw new ArgumentOutOfRangeException(nameof(mr), mr, "Vector512 kernels exist for MR = 6, 8, 12, 14."),
        };
        if (mc % mr != 0) throw new ArgumentException($"MC={mc} must be a multiple of MR={mr}.", nameof(mc));
        return new(GemmKernelPath.Vector512, mr, 32, mc, kc, nc, kernel);
    }
}
