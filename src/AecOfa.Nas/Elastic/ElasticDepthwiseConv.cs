using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// Depthwise k×k convolution (padding k/2) with elastic kernel size and channel count (OFA's
/// DynamicSeparableConv2d). One weight (maxChannels, 1, K, K) at the largest kernel K; a forward on C channels with
/// kernel k uses the first C channels and derives the k×k kernel by a chain of center crops, each followed by a
/// learned transformation shared by all channels of the layer: for kernel sizes K = k0 &gt; k1 &gt; ... the k_{i+1}
/// kernel is crop(kernel_i) · T_{k_i→k_{i+1}}ᵀ on the flattened k_{i+1}² vector (OFA's F.linear, so the parameter
/// layout matches OFA's "7to5_matrix"), e.g. 3×3 = T53(crop(T75(crop(W7)))). Matrices start at the identity, so
/// an untrained transform is a plain center crop.
/// With <c>useKernelTransform: false</c> (a construction setting of this layer, not a global flag) there are no
/// matrices and the kernel is the plain center crop of W.
/// </summary>
public sealed class ElasticDepthwiseConv : Module
{
    private readonly int[] _kernelSizes;          // descending, [0] = the stored size
    private readonly Parameter[] _transforms;     // _transforms[i]: k_i -> k_{i+1}, shape (k_{i+1}², k_{i+1}²)

    public ElasticDepthwiseConv(int maxChannels, IReadOnlyCollection<int> kernelSizes, Random rng, bool useKernelTransform = true)
    {
        ArgumentNullException.ThrowIfNull(kernelSizes);
        ArgumentNullException.ThrowIfNull(rng);
        if (maxChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxChannels), maxChannels, "must be >= 1");
        if (kernelSizes.Count == 0) throw new ArgumentException("ElasticDepthwiseConv: kernelSizes must not be empty", nameof(kernelSizes));
        if (kernelSizes.Any(k => k < 1 || k % 2 == 0))
            throw new ArgumentException($"ElasticDepthwiseConv: kernel sizes must be odd and >= 1, got {{{string.Join(", ", kernelSizes)}}}", nameof(kernelSizes));
        if (kernelSizes.Distinct().Count() != kernelSizes.Count)
            throw new ArgumentException($"ElasticDepthwiseConv: kernel sizes must be distinct, got {{{string.Join(", ", kernelSizes)}}}", nameof(kernelSizes));
        _kernelSizes = kernelSizes.OrderDescending().ToArray();
        MaxChannels = maxChannels;
        UseKernelTransform = useKernelTransform;
        int max = _kernelSizes[0];
        Weight = RegisterParameter("weight", Parameter.Zeros([maxChannels, 1, max, max]));
        Init.KaimingNormalFanOut(Weight, rng, groups: maxChannels);
        _transforms = new Parameter[useKernelTransform ? _kernelSizes.Length - 1 : 0];
        for (int i = 0; i < _transforms.Length; i++)
        {
            int n = _kernelSizes[i + 1] * _kernelSizes[i + 1];
            var eye = Parameter.Zeros([n, n]);
            for (int j = 0; j < n; j++) eye.Span[j * n + j] = 1f;
            _transforms[i] = RegisterParameter($"transform_{_kernelSizes[i]}to{_kernelSizes[i + 1]}", eye);
        }
    }

    public int MaxChannels { get; }
    public bool UseKernelTransform { get; }
    public Parameter Weight { get; }

    /// <summary>Allowed kernel sizes, largest first.</summary>
    public IReadOnlyList<int> KernelSizes => _kernelSizes;

    /// <summary>The matrix taking the flattened crop of the <paramref name="from"/> kernel to the next smaller size.</summary>
    public Parameter Transform(int from)
    {
        int i = Array.IndexOf(_kernelSizes, from);
        if (!UseKernelTransform || i < 0 || i >= _transforms.Length)
            throw new ArgumentException($"ElasticDepthwiseConv: no kernel transform from size {from} (sizes {{{string.Join(", ", _kernelSizes)}}}, transforms {(UseKernelTransform ? "on" : "off")})", nameof(from));
        return _transforms[i];
    }

    /// <summary>x (N, C ≤ MaxChannels, H, W) → (N, C, ⌊(H-1)/stride⌋+1, ⌊(W-1)/stride⌋+1).</summary>
    public Tensor Forward(Tensor x, int kernelSize, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"ElasticDepthwiseConv: x must be (N, C, H, W), got rank {x.Rank}", nameof(x));
        int c = x.Shape[1];
        if (c > MaxChannels) throw new ArgumentException($"ElasticDepthwiseConv: x has {c} channels, the layer at most {MaxChannels}", nameof(x));
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "must be >= 1");
        return TensorOps.Conv2d(x, ActiveKernel(c, kernelSize), null, stride, kernelSize / 2, groups: c);
    }

    /// <summary>The (channels, 1, k, k) kernel a forward with these choices uses (recorded on the tape).</summary>
    public Tensor ActiveKernel(int channels, int kernelSize)
    {
        if (channels < 1 || channels > MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"must be in 1..{MaxChannels}");
        if (Array.IndexOf(_kernelSizes, kernelSize) < 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"is not one of {{{string.Join(", ", _kernelSizes)}}}");
        var w = TensorOps.Slice(Weight, 0, 0, channels);
        if (!UseKernelTransform) return TensorOps.CenterCrop2d(w, kernelSize);
        for (int i = 0; _kernelSizes[i] > kernelSize; i++)
        {
            int k = _kernelSizes[i + 1];
            var flat = TensorOps.Reshape(TensorOps.CenterCrop2d(w, k), channels, k * k);
            w = TensorOps.Reshape(TensorOps.Linear(flat, _transforms[i]), channels, 1, k, k);
        }
        return w;
    }
}
