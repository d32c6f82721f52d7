using System.Globalization;
using System.Text.Json;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Benchmarks;

/// <summary>
/// How well the accuracy predictor ranks sub-networks it never saw: fits it on a share of the candidates a search
/// measured (search.json: validation fitness after exact BN recalibration) and reports Kendall tau on the rest,
/// beside the tau of ranking by MACs alone (the predictor is only worth using if it beats that).
/// Usage: ... -- predictor SEARCH_JSON SPACE_JSON [--train-fraction 0.67] [--seed 1]
/// </summary>
internal static class PredictorCheck
{
    public static void Run(string[] args)
    {
        var space = ArchSpace.Load(args[1]);
        using var doc = JsonDocument.Parse(File.ReadAllText(args[0]));
        var samples = doc.RootElement.GetProperty("candidates").EnumerateArray()
            .Select(c => (Config: Parse(c.GetProperty("config").GetString()!, space), Fitness: c.GetProperty("fitness").GetDouble(), Macs: c.GetProperty("macs").GetDouble()))
            .ToList();
        double fraction = Arg(args, "--train-fraction", 0.67);
        var rng = new Random((int)Arg(args, "--seed", 1));
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
        int n = (int)Math.Round(fraction * samples.Count);
        var train = samples.Take(n).Select(s => new FitnessSample(s.Config, s.Fitness)).ToList();
        var held = samples.Skip(n).ToList();
        double macsTau = KendallTau.TauB(held.Select(s => s.Macs).ToArray(), held.Select(s => s.Fitness).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{samples.Count} measured sub-networks: {train.Count} to fit, {held.Count} held out; Kendall tau of MACs alone on the held-out: {macsTau:F3}"));
        foreach (var (name, options) in new[] { ("2x64", new AccuracyPredictorOptions { HiddenLayers = 2, HiddenWidth = 64 }), ("3x400 (OFA)", new AccuracyPredictorOptions()) })
        {
            var report = AccuracyPredictor.FitAndEvaluate(space, train, held.Select(s => new FitnessSample(s.Config, s.Fitness)).ToList(), options, seed: 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"predictor {name}: held-out Kendall tau {report.HeldOut.KendallTau:F3}, RMSE {report.HeldOut.Rmse:F4} (training tau {report.Training.KendallTau:F3})"));
        }
    }

    /// <summary>Parses ArchConfig.ToString(): "d=4,2,2,2,2 k=3553|33|37|33|33 e=3333|33|33|33|33 in=32x/2".</summary>
    internal static ArchConfig Parse(string text, ArchSpace space)
    {
        var parts = text.Split(' ');
        var depths = parts[0][2..].Split(',').Select(int.Parse).ToArray();
        int[] Genes(string field)
        {
            var genes = new int[space.BlockSlots];
            var stages = field[2..].Split('|');
            for (int s = 0; s < stages.Length; s++)
                for (int b = 0; b < stages[s].Length; b++) genes[s * space.MaxDepth + b] = stages[s][b] - '0';
            return genes;
        }
        var input = parts[3][3..].Split("x/");
        var config = new ArchConfig(depths, Genes(parts[1]), Genes(parts[2]), int.Parse(input[0], CultureInfo.InvariantCulture), int.Parse(input[1], CultureInfo.InvariantCulture));
        config.Validate(space);
        return config;
    }

    private static double Arg(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;
    }
}
