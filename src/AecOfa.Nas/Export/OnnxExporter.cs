using System.Globalization;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Export;

/// <summary>What <see cref="OnnxExporter.Export(StaticMbv3Network, Stream, IReadOnlyDictionary{string, string}?, OnnxExportOptions?)"/> wrote.</summary>
public sealed record OnnxExportSummary(int Opset, int Nodes, IReadOnlyList<string> OperatorTypes, long Bytes, string InputName, IReadOnlyList<string> OutputNames);

/// <summary>
/// Writes an extracted sub-network (<see cref="StaticMbv3Network"/>) as an ONNX model (IR 8, opset 17 by default),
/// with the protobuf written by this library (no ONNX or protobuf package needed).
/// The graph: input "features" (batch, 1, mel bins, frames) — normalized log-mel features at the front end's
/// nominal resolution, exactly what <see cref="StaticMbv3Network.Forward"/> takes; the resolution genes'
/// <see cref="InputResampler"/> as ONNX ops (mel bins: MatMul with the fixed interpolation matrix; frames:
/// AveragePool over HopFactor frames with ceil_mode, the partial last window averaged over the frames it has);
/// every convolution with its batch norm folded in (<see cref="BatchNormFolding"/>); ReLU / HardSwish /
/// HardSigmoid as the ONNX ops of the same definition; outputs "logits" (batch, classes) and "scores"
/// (sigmoid of the logits). metadata_props: the network file's metadata (format, ArchSpace and ArchConfig JSON)
/// and every front-end setting as "frontend.{key}" (log-mel parameters, clip length, normalization statistics).
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "features";
    public const string LogitsName = "logits";
    public const string ScoresName = "scores";

    public static OnnxExportSummary Export(StaticMbv3Network network, string path, IReadOnlyDictionary<string, string>? frontEnd = null, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string tmp = path + ".tmp";
        OnnxExportSummary summary;
        using (var stream = File.Create(tmp)) summary = Export(network, stream, frontEnd, options);
        File.Move(tmp, path, overwrite: true);
        return summary;
    }

    public static OnnxExportSummary Export(StaticMbv3Network network, Stream stream, IReadOnlyDictionary<string, string>? frontEnd = null, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new OnnxExportOptions();
        if (options.Opset < 17) throw new ArgumentOutOfRangeException(nameof(options), options.Opset, "OnnxExportOptions.Opset must be 17 or newer.");
        if (options.Frames is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Frames, "OnnxExportOptions.Frames must be positive.");
        var space = network.Space;
        var config = network.Config;
        var g = new OnnxGraph();
        int inBins = space.Input.MelBins;
        g.Input(InputName, "batch", 1, inBins, options.Frames is { } f ? f : "frames");

        // Input resampling (the resolution genes), as in InputResampler.Apply: mel interpolation, then frame means.
        string h = InputName;
        if (config.MelBins != inBins)
        {
            var (lower, upper) = InputResampler.MelInterpolation(inBins, config.MelBins);
            var m = new float[config.MelBins * inBins];
            for (int j = 0; j < config.MelBins; j++)
            {
                int i0 = lower[j], i1 = Math.Min(i0 + 1, inBins - 1);
                m[j * inBins + i0] += (float)(1.0 - upper[j]);
                m[j * inBins + i1] += (float)upper[j];
            }
            string mat = g.Initializer("resample.mel_matrix", m, config.MelBins, inBins);
            h = g.Node("MatMul", [mat, h], "resample.mel");
        }
        if (config.HopFactor > 1)
        {
            h = g.Node("AveragePool", [h], "resample.frames",
                ("kernel_shape", new[] { 1, config.HopFactor }), ("strides", new[] { 1, config.HopFactor }),
                ("ceil_mode", 1), ("count_include_pad", 0));
        }

        // Stem and the fixed first block.
        h = Conv(g, "stem_conv", network.StemConv, network.StemBn, h);
        string r = Conv(g, "first_dw", network.FirstDepthwise, network.FirstDepthwiseBn, h);
        r = Conv(g, "first_pw", network.FirstPointwise, network.FirstPointwiseBn, r);
        h = g.Node("Add", [r, h], "first_block.out");

        foreach (var (name, block) in network.Blocks)
        {
            string x = h;
            string b = Conv(g, name + ".expand", block.ExpandConv, block.ExpandBn, x);
            b = Conv(g, name + ".depthwise", block.DepthConv, block.DepthBn, b);
            if (block.Se is { } se)
            {
                string pooled = g.Node("GlobalAveragePool", [b], name + ".se.pool");
                string s = Conv(g, name + ".se.reduce", se.Reduce, null, pooled);
                s = g.Node("Relu", [s], name + ".se.relu");
                s = Conv(g, name + ".se.expand", se.Expand, null, s);
                s = g.Node("HardSigmoid", [s], name + ".se.gate", ("alpha", 1f / 6f), ("beta", 0.5f));
                b = g.Node("Mul", [b, s], name + ".se.out");
            }
            b = Conv(g, name + ".project", block.ProjectConv, block.ProjectBn, b);
            h = block.HasResidual ? g.Node("Add", [b, x], name + ".out") : b;
        }

        // Head.
        h = Conv(g, "final_expand", network.FinalExpand, network.FinalExpandBn, h);
        h = g.Node("GlobalAveragePool", [h], "head.pool");
        h = g.Node("Flatten", [h], "head.flat", ("axis", 1));
        h = Gemm(g, "feature_mix", network.FeatureMix, h);
        h = g.Node("HardSwish", [h], "feature_mix.act");
        g.Node("Gemm", [h, g.Initializer("classifier.weight", network.Classifier.Weight.Data, network.Classifier.OutFeatures, network.Classifier.InFeatures),
            g.Initializer("classifier.bias", network.Classifier.Bias!.Data, network.Classifier.OutFeatures)], LogitsName, ("transB", 1));
        g.Output(LogitsName, "batch", space.Classes);
        var outputs = new List<string> { LogitsName };
        if (options.IncludeScores)
        {
            g.Node("Sigmoid", [LogitsName], ScoresName);
            g.Output(ScoresName, "batch", space.Classes);
            outputs.Add(ScoresName);
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new(StaticNetworkFile.FormatKey, StaticNetworkFile.FormatValue),
            new(StaticNetworkFile.SpaceKey, space.ToJson()),
            new(StaticNetworkFile.ConfigKey, config.ToJson()),
            new("aecofa.onnx.input", $"{InputName}: normalized log-mel features (batch, 1, {inBins} mel bins, frames) at the front end's nominal resolution; the resolution genes' resampling (mel bins {config.MelBins}, hop factor {config.HopFactor}) runs inside the graph"),
            new("aecofa.onnx.frames", space.Input.Frames.ToString(CultureInfo.InvariantCulture)),
        };
        if (frontEnd is not null)
            foreach (var (k, v) in frontEnd.OrderBy(kv => kv.Key, StringComparer.Ordinal)) metadata.Add(new(StaticNetworkFile.FrontEndPrefix + k, v));

        long start = stream.CanSeek ? stream.Position : 0;
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        g.WriteModel(stream, "aecofa_subnet", $"AecOfa sub-network {config}", options.Opset, metadata, version);
        long bytes = stream.CanSeek ? stream.Position - start : -1;
        return new OnnxExportSummary(options.Opset, g.NodeCount, g.OperatorTypes, bytes, InputName, outputs);
    }

    private static string Conv(OnnxGraph g, string name, Conv2d conv, BatchNorm2d? bn, string input)
    {
        var folded = BatchNormFolding.Fold(conv, bn);
        int k = folded.WeightShape[2], p = folded.Padding;
        string w = g.Initializer(name + ".weight", folded.Weight, folded.WeightShape);
        string b = g.Initializer(name + ".bias", folded.Bias, folded.Bias.Length);
        string y = g.Node("Conv", [input, w, b], name,
            ("kernel_shape", new[] { k, folded.WeightShape[3] }), ("strides", new[] { folded.Stride, folded.Stride }),
            ("pads", new[] { p, p, p, p }), ("dilations", new[] { 1, 1 }), ("group", folded.Groups));
        return bn?.Activation switch
        {
            FusedActivation.ReLU => g.Node("Relu", [y], name + ".relu"),
            FusedActivation.HardSwish => g.Node("HardSwish", [y], name + ".hswish"),
            _ => y,
        };
    }

    private static string Gemm(OnnxGraph g, string name, Linear linear, string input)
    {
        var inputs = new List<string> { input, g.Initializer(name + ".weight", linear.Weight.Data, linear.OutFeatures, linear.InFeatures) };
        if (linear.Bias is { } bias) inputs.Add(g.Initializer(name + ".bias", bias.Data, linear.OutFeatures));
        return g.Node("Gemm", [.. inputs], name, ("transB", 1));
    }
}
