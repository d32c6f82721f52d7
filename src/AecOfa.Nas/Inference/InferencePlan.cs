using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Kernels.Inference;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Export;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Inference;

/// <summary>
/// An extracted sub-network (<see cref="StaticMbv3Network"/>) compiled once for fast eval-mode inference, one
/// example at a time on the calling thread: every batch norm folded into its convolution
/// (<see cref="BatchNormFolding"/>), activations, residual additions and biases in the convolution kernels'
/// epilogues, weights packed for the batch-1 kernels of <c>AecOfa.Engine.Kernels.Inference</c>, activations
/// channels-last in preallocated buffers, the input resampling from precomputed tables. A call allocates nothing
/// and creates no tensors or autograd records. Same logits as <see cref="StaticMbv3Network.Forward"/> in eval mode
/// up to float rounding (the tests check 1e-4).
/// The plan copies the weights: later changes to the network are not seen (compile again). One call at a time per
/// plan (the buffers are the plan's); compile one plan per thread for parallel use.
/// </summary>
public sealed class InferencePlan
{
    private readonly PackedTapWeights _stem;
    private readonly int _stemStride, _stemPadding;
    private readonly PackedTapWeights _firstDepthwise;
    private readonly PackedPointwiseWeights _firstPointwise;
    private readonly CompiledBlock[] _blocks;
    private readonly PackedPointwiseWeights _finalExpand, _featureMix, _classifier;
    private readonly int[] _melLower;
    private readonly double[] _melUpper;
    private readonly int _height, _width;          // after resampling
    private readonly int _stemHeight, _stemWidth;  // after the stem
    private readonly int _headPixels;
    private readonly float[] _resampled, _a, _b, _m1, _m2, _pooled, _hidden, _gate, _features;

    private InferencePlan(StaticMbv3Network network, int frames)
    {
        Space = network.Space;
        Config = network.Config;
        InputBins = Space.Input.MelBins;
        Frames = frames;
        Classes = Space.Classes;
        _height = Config.MelBins;
        _width = (frames + Config.HopFactor - 1) / Config.HopFactor;
        (_melLower, _melUpper) = InputResampler.MelInterpolation(InputBins, Config.MelBins);

        _stem = Taps(network.StemConv, network.StemBn);
        _stemStride = network.StemConv.Stride;
        _stemPadding = network.StemConv.Padding;
        _stemHeight = DepthwiseConvHwc.OutputSize(_height, network.StemConv.KernelSize, _stemStride, _stemPadding);
        _stemWidth = DepthwiseConvHwc.OutputSize(_width, network.StemConv.KernelSize, _stemStride, _stemPadding);
        if (network.FirstDepthwise.Stride != 1 || 2 * network.FirstDepthwise.Padding != network.FirstDepthwise.KernelSize - 1)
            throw new ArgumentException("InferencePlan: the fixed first block must keep the map size (stride 1, same padding).", nameof(network));
        _firstDepthwise = Taps(network.FirstDepthwise, network.FirstDepthwiseBn);
        _firstPointwise = Pointwise(network.FirstPointwise, network.FirstPointwiseBn);

        int h = _stemHeight, w = _stemWidth;
        long largest = (long)_height * _width;
        largest = Math.Max(largest, (long)h * w * Space.StemChannels);
        int widest = Space.StemChannels;
        var blocks = new List<CompiledBlock>();
        foreach (var (_, block) in network.Blocks)
        {
            var dw = block.DepthConv;
            int oh = DepthwiseConvHwc.OutputSize(h, dw.KernelSize, dw.Stride, dw.Padding), ow = DepthwiseConvHwc.OutputSize(w, dw.KernelSize, dw.Stride, dw.Padding);
            PackedPointwiseWeights? seReduce = null, seExpand = null;
            if (block.Se is { } se)
            {
                seReduce = Pointwise(se.Reduce, null);
                seExpand = Pointwise(se.Expand, null);
                widest = Math.Max(widest, se.Hidden);
            }
            blocks.Add(new CompiledBlock(block.InChannels, block.MiddleChannels, block.OutChannels, h, w, oh, ow,
                ActivationFunctions.ToFused(block.Activation),
                Pointwise(block.ExpandConv, block.ExpandBn),
                Taps(dw, block.DepthBn), dw.Stride, dw.Padding,
                seReduce, seExpand,
                Pointwise(block.ProjectConv, block.ProjectBn),
                block.HasResidual));
            largest = Math.Max(largest, (long)h * w * block.MiddleChannels);
            largest = Math.Max(largest, (long)oh * ow * Math.Max(block.MiddleChannels, block.OutChannels));
            widest = Math.Max(widest, Math.Max(block.MiddleChannels, block.OutChannels));
            h = oh;
            w = ow;
        }
        _blocks = blocks.ToArray();
        _headPixels = h * w;
        _finalExpand = Pointwise(network.FinalExpand, network.FinalExpandBn);
        largest = Math.Max(largest, (long)_headPixels * Space.FinalExpandChannels);
        widest = Math.Max(widest, Math.Max(Space.FinalExpandChannels, Space.FeatureMixChannels));
        _featureMix = Linear(network.FeatureMix);
        _classifier = Linear(network.Classifier);
        if (largest > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(frames), frames, "InferencePlan: the activations of this input are too large.");

        _resampled = new float[_height * _width];
        _a = new float[largest];
        _b = new float[largest];
        _m1 = new float[largest];
        _m2 = new float[largest];
        _pooled = new float[widest];
        _hidden = new float[widest];
        _gate = new float[widest];
        _features = new float[widest];
    }

    /// <summary>Compiles <paramref name="network"/> (its current weights and BN statistics, as in eval mode) for inputs
    /// of <paramref name="frames"/> frames (default: the space's nominal <see cref="InputSpec.Frames"/>).</summary>
    public static InferencePlan Compile(StaticMbv3Network network, int? frames = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        int f = frames ?? network.Space.Input.Frames;
        if (f < 1) throw new ArgumentOutOfRangeException(nameof(frames), f, "InferencePlan: frames must be positive.");
        return new InferencePlan(network, f);
    }

    /// <summary>The compiled network's space.</summary>
    public ArchSpace Space { get; }

    /// <summary>The compiled sub-network's architecture.</summary>
    public ArchConfig Config { get; }

    /// <summary>Mel bins of one input example (the front end's nominal resolution).</summary>
    public int InputBins { get; }

    /// <summary>Frames of one input example.</summary>
    public int Frames { get; }

    /// <summary>Logits per example.</summary>
    public int Classes { get; }

    /// <summary>Floats per input example: <see cref="InputBins"/> × <see cref="Frames"/>.</summary>
    public int InputLength => InputBins * Frames;

    /// <summary>Logits of one example: <paramref name="features"/> are its normalized log-mel features, mel-bin
    /// major (<see cref="InputBins"/> rows of <see cref="Frames"/>), exactly one example of the (N, 1, bins, frames)
    /// tensor <see cref="StaticMbv3Network.Forward"/> takes; <paramref name="logits"/> receives <see cref="Classes"/> values.</summary>
    public void Run(ReadOnlySpan<float> features, Span<float> logits)
    {
        if (features.Length != InputLength)
            throw new ArgumentException($"InferencePlan: features has {features.Length} values, one example is {InputBins} x {Frames} = {InputLength}.", nameof(features));
        if (logits.Length < Classes)
            throw new ArgumentException($"InferencePlan: logits has room for {logits.Length} values, the network has {Classes} classes.", nameof(logits));
        RunOne(features, logits, null);
    }

    /// <summary>Steps of one example, in order: 0 the input resampling, 1 the stem with the fixed first block, then one
    /// per MBConv block, last the head (final expand, pooling, feature mix, classifier): <see cref="Blocks"/> + 3.</summary>
    public int StepCount => _blocks.Length + 3;

    /// <summary>Number of MBConv blocks (the config's active blocks).</summary>
    public int Blocks => _blocks.Length;

    /// <summary><see cref="Run(ReadOnlySpan{float}, Span{float})"/> that calls <paramref name="afterStep"/> with the step's index
    /// (see <see cref="StepCount"/>) as each step finishes: for timing the parts of a network (latency tables).</summary>
    public void Run(ReadOnlySpan<float> features, Span<float> logits, Action<int> afterStep)
    {
        ArgumentNullException.ThrowIfNull(afterStep);
        if (features.Length != InputLength)
            throw new ArgumentException($"InferencePlan: features has {features.Length} values, one example is {InputBins} x {Frames} = {InputLength}.", nameof(features));
        if (logits.Length < Classes)
            throw new ArgumentException($"InferencePlan: logits has room for {logits.Length} values, the network has {Classes} classes.", nameof(logits));
        RunOne(features, logits, afterStep);
    }

    /// <summary>Logits (<paramref name="batch"/> × <see cref="Classes"/>) of <paramref name="batch"/> consecutive examples, one after another.</summary>
    public void Run(ReadOnlySpan<float> features, int batch, Span<float> logits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (features.Length != (long)batch * InputLength)
            throw new ArgumentException($"InferencePlan: features has {features.Length} values, {batch} examples of {InputBins} x {Frames} need {(long)batch * InputLength}.", nameof(features));
        if (logits.Length < (long)batch * Classes)
            throw new ArgumentException($"InferencePlan: logits has room for {logits.Length} values, {batch} examples need {(long)batch * Classes}.", nameof(logits));
        for (int i = 0; i < batch; i++) RunOne(features.Slice(i * InputLength, InputLength), logits.Slice(i * Classes, Classes), null);
    }

    /// <summary>Logits (N, classes) for x (N, 1, bins, frames), the shape <see cref="StaticMbv3Network.Forward"/> takes.</summary>
    public Tensor Run(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4 || x.Shape[1] != 1 || x.Shape[2] != InputBins || x.Shape[3] != Frames)
            throw new ArgumentException($"InferencePlan: x must be (N, 1, {InputBins}, {Frames}), got ({string.Join(", ", x.Shape)}).", nameof(x));
        var logits = new float[x.Shape[0] * Classes];
        Run(x.Span, x.Shape[0], logits);
        return Tensor.FromArray(logits, x.Shape[0], Classes);
    }

    private void RunOne(ReadOnlySpan<float> features, Span<float> logits, Action<int>? afterStep)
    {
        ReadOnlySpan<float> input = Resample(features);
        afterStep?.Invoke(0);
        int stemC = Space.StemChannels, stemPixels = _stemHeight * _stemWidth;

        // Stem (+ h-swish), then the fixed first block: depthwise 3x3 + ReLU, pointwise, + the stem's output.
        SingleChannelConvHwc.Forward(input, _height, _width, _stem, _stemStride, _stemPadding, _a, FusedActivation.HardSwish);
        DepthwiseConvHwc.Forward(_a, _stemHeight, _stemWidth, _firstDepthwise, 1, _firstDepthwise.Kernel / 2, _m1, FusedActivation.ReLU);
        PointwiseConvHwc.Forward(_m1, stemPixels, stemC, _firstPointwise, _b, stemC, FusedActivation.None, _a.AsSpan(0, stemPixels * stemC));
        float[] current = _b, other = _a;
        afterStep?.Invoke(1);
        int step = 2;

        foreach (var block in _blocks)
        {
            int inPixels = block.InHeight * block.InWidth, outPixels = block.OutHeight * block.OutWidth, mid = block.MiddleChannels;
            PointwiseConvHwc.Forward(current, inPixels, block.InChannels, block.Expand, _m1, mid, block.Activation);
            DepthwiseConvHwc.Forward(_m1, block.InHeight, block.InWidth, block.Depthwise, block.Stride, block.Padding, _m2, block.Activation);
            if (block.SeReduce is { } reduce && block.SeExpand is { } expand)
            {
                ChannelsLastPooling.Mean(_m2, outPixels, mid, _pooled);
                PointwiseConvHwc.Forward(_pooled, 1, mid, reduce, _hidden, reduce.OutChannels, FusedActivation.ReLU);
                PointwiseConvHwc.Forward(_hidden, 1, reduce.OutChannels, expand, _gate, mid);
                ChannelsLastPooling.ScaleByHardSigmoid(_m2.AsSpan(0, outPixels * mid), outPixels, mid, _gate);
            }
            ReadOnlySpan<float> residual = block.Residual ? current.AsSpan(0, outPixels * block.OutChannels) : default;
            PointwiseConvHwc.Forward(_m2, outPixels, mid, block.Project, other, block.OutChannels, FusedActivation.None, residual);
            (current, other) = (other, current);
            afterStep?.Invoke(step++);
        }

        // Head: final expand + h-swish, global average pool, feature mix + h-swish, classifier.
        int lastC = _blocks.Length > 0 ? _blocks[^1].OutChannels : stemC, fe = Space.FinalExpandChannels;
        PointwiseConvHwc.Forward(current, _headPixels, lastC, _finalExpand, _m1, fe, FusedActivation.HardSwish);
        ChannelsLastPooling.Mean(_m1, _headPixels, fe, _pooled);
        PointwiseConvHwc.Forward(_pooled, 1, fe, _featureMix, _features, _featureMix.OutChannels, FusedActivation.HardSwish);
        PointwiseConvHwc.Forward(_features, 1, _featureMix.OutChannels, _classifier, logits, Classes);
        afterStep?.Invoke(step);
    }

    /// <summary>InputResampler.Apply for one example, with the same arithmetic (sums and weights in double).</summary>
    private ReadOnlySpan<float> Resample(ReadOnlySpan<float> x)
    {
        int hop = Config.HopFactor, inBins = InputBins, frames = Frames;
        if (_height == inBins && hop == 1) return x;
        var y = _resampled;
        for (int j = 0; j < _height; j++)
        {
            int i0 = _melLower[j], i1 = Math.Min(i0 + 1, inBins - 1);
            double w1 = _melUpper[j], w0 = 1.0 - w1;
            var r0 = x.Slice(i0 * frames, frames);
            var r1 = x.Slice(i1 * frames, frames);
            for (int t = 0; t < _width; t++)
            {
                int start = t * hop, end = Math.Min(start + hop, frames);
                double s0 = 0, s1 = 0;
                for (int f = start; f < end; f++)
                {
                    s0 += r0[f];
                    s1 += r1[f];
                }
                y[j * _width + t] = (float)((w0 * s0 + w1 * s1) / (end - start));
            }
        }
        return y;
    }

    private static PackedTapWeights Taps(Conv2d conv, BatchNorm2d bn)
    {
        var f = BatchNormFolding.Fold(conv, bn);
        if (f.WeightShape[1] != 1 || f.WeightShape[2] != f.WeightShape[3])
            throw new ArgumentException($"InferencePlan: expected a square per-channel filter, got weight ({string.Join(", ", f.WeightShape)}).", nameof(conv));
        return new PackedTapWeights(f.Weight, f.Bias, f.WeightShape[0], f.WeightShape[2]);
    }

    private static PackedPointwiseWeights Pointwise(Conv2d conv, BatchNorm2d? bn)
    {
        var f = BatchNormFolding.Fold(conv, bn);
        if (f.WeightShape[2] != 1 || f.WeightShape[3] != 1 || f.Groups != 1)
            throw new ArgumentException($"InferencePlan: expected a dense 1x1 convolution, got weight ({string.Join(", ", f.WeightShape)}).", nameof(conv));
        return new PackedPointwiseWeights(f.Weight, f.Bias, f.WeightShape[0], f.WeightShape[1]);
    }

    private static PackedPointwiseWeights Linear(Linear linear) =>
        new(linear.Weight.Span, linear.Bias is { } b ? b.Span : default, linear.OutFeatures, linear.InFeatures);
}
