using BenchmarkDotNet.Running;

namespace AecOfa.Benchmarks;

public static class Program
{
    // Pick benchmarks with --filter, e.g. dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*Gemm*'
    // Accuracy predictor vs MACs on a search's measured sub-networks: ... -- predictor SEARCH_JSON SPACE_JSON
    // Logistic regression on per-clip log-mel mean/std (the real-recordings baseline): ... -- logreg MANIFEST [--l2 1e-3]
    // Engine (eval path and compiled plan) vs ONNX Runtime in interleaved rounds: ... -- ort-interleaved [rounds] [runs]
    // Per-phase / per-op breakdown of the reference training step: ... -- breakdown [largest|smallest] [--network port|static|supernet] [--threads 1,2] [--steps 5] [--width 0.25 --input 32x51]
    // Planar vs channels-last depthwise on the demo space's layers (decides DepthwiseConv.UseChannelsLast): ... -- depthwise-probe
    // The demo's sandwich step vs the sum of its sub-networks' static steps (the cost of weight sharing): ... -- sandwich [--threads 1,2] [--by-op]
    // One epoch's validation of the demo's supernet (recalibration + evaluation of three probes, page faults): ... -- validation [--threads 2]
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "export-bundle")
        {
            TorchBundleExporter.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "breakdown")
        {
            StepBreakdown.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "depthwise-probe")
        {
            DepthwiseLayoutProbe.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "sandwich")
        {
            SandwichStepBenchmark.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "validation")
        {
            ValidationBenchmark.Run(args[1..]);
            return;
        }
        if (args.Length > 2 && args[0] == "predictor")
        {
            PredictorCheck.Run(args[1..]);
            return;
        }
        if (args.Length > 1 && args[0] == "logreg")
        {
            LogMelLogisticRegression.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "ort-interleaved")
        {
            OrtInterleaved.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "pointwise")
        {
            PointwiseProbe.Run();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
