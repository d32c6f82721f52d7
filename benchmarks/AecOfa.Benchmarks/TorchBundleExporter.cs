using AecOfa.Engine;
using AecOfa.Engine.IO;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Benchmarks;

/// <summary>
/// Writes the reference bundle of the libtorch peer's numerical cross-check (../shared/peers/torch/README.md,
/// "Numerical cross-check"): `-- export-bundle largest|smallest OUT.safetensors [--seed S] [--batch N]`, then
/// `dotnet run -c Release -- --check OUT.safetensors largest|smallest` in the peer. Weights, BN affine parameters and
/// running statistics are randomized; x ~ N(0, 1) of (N, 1, 64, 100), y random 0/1 targets of (N, 10); eval logits
/// with the running statistics, then train-mode logits, mean BCE-with-logits loss (dropout off) and every parameter
/// gradient of that loss. Not part of CI (the peer needs the libtorch packages).
/// <para>Outcome (2026-12-03, batch 4): smallest, seeds 0-1: logits within 2.6e-6, gradients within 1.3e-5 of float64
/// (libtorch float32 1.3e-5). Largest, seed 1: within 3.1e-5 (libtorch 2.3e-5); seed 0: outliers up to 5.3e-2 in
/// s2b1.expandConv and everything upstream of it, libtorch float32 1.2e-2 in s1b1.depthConv.bn.bias. Cause: a ReLU kink,
/// not a kernel bug. The s2b1 expand BN has one pre-activation at z = -4.8e-7 (channel 181, sample 0, position 31):
/// float32 rounding decides which side it falls on, so that element's gradient is passed in the float64 run and
/// masked here, and on an 8x13 plane one element is a few percent of the tensor's largest gradient. libtorch float32
/// crosses a kink of its own at z = -6.5e-8 (s1b1 depth BN, channel 27). Checked with a probe: given the same upstream
/// gradient, every expand BN + activation backward matches float64 within 5e-6; no forward ReLU/h-swish mask differs
/// from a float64 recomputation on our own inputs; no saved activation is modified between forward and backward; the
/// depthwise 7x7 backward at these shapes is within 3e-7. Seed 2: both within 3.1e-5. Seed 3: AecOfa AND libtorch
/// float32 show the same 5.3e-2 outlier in s4b1.depthConv, where the depth BN has an h-swish input at z = 3 + 8.8e-7
/// (the kink at +3): both float32 engines land on the other side than float64. A comparison that should not trip on kinks has to skip the
/// gradient contributions of elements within ~1e-5 of a kink, or use data where none are.</para>
/// </summary>
public static class TorchBundleExporter
{
    public static void Run(string[] args)
    {
        if (args.Length < 2) throw new ArgumentException("usage: export-bundle largest|smallest OUT.safetensors [--seed S] [--batch N]");
        string which = args[0], path = args[1];
        int seed = 0, batch = 4;
        for (int i = 2; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--seed") seed = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--batch") batch = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            else throw new ArgumentException($"unknown option {args[i]}");
        }
        var space = ArchSpace.Default;
        var config = which switch
        {
            "largest" => ArchConfig.Max(space),
            "smallest" => ArchConfig.Min(space),
            _ => throw new ArgumentException("largest or smallest"),
        };
        var bundle = Export(space, config, seed, batch);
        SafetensorsFile.Write(path, bundle);
        Console.WriteLine($"wrote {path}: {which} ({config}), batch {batch}, seed {seed}, {bundle.Count} tensors");
    }

    public static List<(string Name, Tensor Tensor)> Export(ArchSpace space, ArchConfig config, int seed, int batch)
    {
        var net = new StaticMbv3Network(space, config, seed);
        var rng = new Random(seed + 1);
        foreach (var (name, b) in net.NamedBuffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) for (int i = 0; i < b.Numel; i++) b.Data[i] = (float)(rng.NextDouble() - 0.5);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) for (int i = 0; i < b.Numel; i++) b.Data[i] = (float)(0.5 + rng.NextDouble());
        }
        foreach (var (name, p) in net.NamedParameters())
            if (name.EndsWith("_bn.weight", StringComparison.Ordinal) || name.EndsWith("_bn.bias", StringComparison.Ordinal))
                for (int i = 0; i < p.Numel; i++) p.Data[i] = name.EndsWith("weight", StringComparison.Ordinal) ? (float)(0.5 + rng.NextDouble()) : (float)(0.2 * (rng.NextDouble() - 0.5));
        var bundle = new List<(string, Tensor)>();
        foreach (var (name, t) in net.StateDict()) bundle.Add(($"w.{name}", Tensor.FromArray((float[])t.Data.Clone(), t.Shape)));

        var x = Tensor.Randn(rng, 1f, batch, 1, space.Input.MelBins, space.Input.Frames);
        var y = Tensor.Zeros(batch, space.Classes);
        for (int i = 0; i < y.Numel; i++) y.Data[i] = rng.Next(2);
        bundle.Add(("x", x));
        bundle.Add(("y", y));

        net.Eval();
        using (GradMode.NoGrad()) bundle.Add(("logits_eval", Clone(net.Forward(x))));
        net.Train();
        var logits = net.Forward(x);
        var loss = TensorOps.BinaryCrossEntropyWithLogits(logits, y);
        bundle.Add(("logits_train", Clone(logits)));
        bundle.Add(("loss", Tensor.FromArray([loss.Item()], 1)));
        loss.Backward();
        foreach (var (name, p) in net.NamedParameters())
            bundle.Add(($"g.{name}", p.Grad is null ? Tensor.Zeros(p.Shape) : Clone(p.Grad)));
        return bundle;
    }

    private static Tensor Clone(Tensor t) => Tensor.FromArray((float[])t.Data.Clone(), t.Shape);
}
