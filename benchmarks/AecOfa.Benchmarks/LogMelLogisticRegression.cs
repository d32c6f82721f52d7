using System.Globalization;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;

namespace AecOfa.Benchmarks;

/// <summary>
/// The reference baseline of ../shared/data/README.md for single-label sets: multinomial logistic regression on each
/// clip's per-mel-bin mean and standard deviation of the log-mel features (over the clip's own frames, no padding),
/// standardized with the training split's statistics, L2-regularized, fitted by full-batch gradient descent in
/// float64. Usage: ... -- logreg MANIFEST [--l2 1e-3] [--iterations 3000]; prints test top-1 (and train top-1).
/// </summary>
internal static class LogMelLogisticRegression
{
    public static void Run(string[] args)
    {
        string manifestPath = args[0];
        double l2 = Arg(args, "--l2", 1e-3);
        int iterations = (int)Arg(args, "--iterations", 3000);
        var manifest = Manifest.Read(manifestPath);
        var logMel = new LogMelOptions();
        string cache = Path.Combine(Path.GetTempPath(), $"aecofa-logreg-{Convert.ToHexString(manifest.ContentHash())[..16]}.cache");
        using var features = FeatureCache.OpenOrBuild(cache, new ManifestAudioLoader(manifest, logMel.SampleRate), new LogMelExtractor(logMel),
            new FeatureCacheOptions(ClipLengthPolicy.Variable)).Cache;
        int bins = features.Bins, dims = 2 * bins + 1, classes = features.ClassCount;
        (double[][] X, int[] Y) Split(string name)
        {
            var clips = features.ClipsOfSplit(name);
            var x = new double[clips.Length][];
            var y = new int[clips.Length];
            for (int i = 0; i < clips.Length; i++)
            {
                var f = features.Features(clips[i]);
                int frames = f.Length / bins;
                x[i] = new double[dims];
                for (int b = 0; b < bins; b++)
                {
                    double sum = 0, sq = 0;
                    for (int t = 0; t < frames; t++) { double v = f[b * frames + t]; sum += v; sq += v * v; }
                    double mean = sum / frames;
                    x[i][b] = mean;
                    x[i][bins + b] = Math.Sqrt(Math.Max(0, sq / frames - mean * mean));
                }
                y[i] = features.LabelIndices(clips[i])[0];
            }
            return (x, y);
        }
        var (xTrain, yTrain) = Split("train");
        var (xTest, yTest) = Split("test");
        // Standardize with the training statistics; the last feature is the bias (1).
        for (int d = 0; d < dims - 1; d++)
        {
            double mean = xTrain.Average(r => r[d]), std = Math.Sqrt(xTrain.Average(r => (r[d] - mean) * (r[d] - mean))) + 1e-8;
            foreach (var r in xTrain.Concat(xTest)) r[d] = (r[d] - mean) / std;
        }
        foreach (var r in xTrain.Concat(xTest)) r[dims - 1] = 1;
        var w = new double[classes, dims];
        var grad = new double[classes, dims];
        var p = new double[classes];
        double lr = 0.5;
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(grad);
            for (int i = 0; i < xTrain.Length; i++)
            {
                Softmax(w, xTrain[i], p);
                for (int k = 0; k < classes; k++)
                {
                    double g = p[k] - (yTrain[i] == k ? 1 : 0);
                    for (int d = 0; d < dims; d++) grad[k, d] += g * xTrain[i][d];
                }
            }
            for (int k = 0; k < classes; k++)
                for (int d = 0; d < dims; d++)
                    w[k, d] -= lr * (grad[k, d] / xTrain.Length + (d < dims - 1 ? l2 * w[k, d] : 0));
        }
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"logreg (l2 {l2}, {iterations} iterations): train top-1 {Accuracy(w, xTrain, yTrain, p):F4} ({xTrain.Length} clips), test top-1 {Accuracy(w, xTest, yTest, p):F4} ({xTest.Length} clips)"));
    }

    private static double Accuracy(double[,] w, double[][] x, int[] y, double[] p)
    {
        int correct = 0;
        for (int i = 0; i < x.Length; i++)
        {
            Softmax(w, x[i], p);
            int best = 0;
            for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
            if (best == y[i]) correct++;
        }
        return (double)correct / x.Length;
    }

    private static void Softmax(double[,] w, double[] x, double[] p)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < p.Length; k++)
        {
            double z = 0;
            for (int d = 0; d < x.Length; d++) z += w[k, d] * x[d];
            p[k] = z;
            max = Math.Max(max, z);
        }
        double sum = 0;
        for (int k = 0; k < p.Length; k++) { p[k] = Math.Exp(p[k] - max); sum += p[k]; }
        for (int k = 0; k < p.Length; k++) p[k] /= sum;
    }

    private static double Arg(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;
    }
}
