using AecOfa.Audio;
using AecOfa.Audio.Features;
using AecOfa.Pipelines.Inference;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Pipelines.Tests.Inference;

/// <summary>A small model file as the demo writes one: 16 mel bins, 0.5 s clips (51 frames), random weights and BN
/// statistics, normalization statistics and (optionally) class names in the front-end metadata.</summary>
internal static class TinyModel
{
    public static readonly LogMelOptions LogMel = new() { MelBins = 16 };
    public const double ClipSeconds = 0.5;

    public static readonly ArchSpace Space = TinySupernet.Space with
    {
        Input = new InputSpec { MelBins = 16, Frames = 51, MelBinChoices = [16, 12], HopFactorChoices = [1, 2] },
        Classes = 4,
    };

    public static readonly string[] Names = ["alarm", "bark", "knock", "water"];

    public static StaticMbv3Network Network(int seed = 3)
    {
        var net = new StaticMbv3Network(Space, ArchConfig.Uniform(Space, 2, 5, 3, melBins: 12, hopFactor: 2), seed);
        TinySupernet.Randomize(net, new Random(seed));
        net.Eval();
        return net;
    }

    public static Dictionary<string, string> FrontEnd(bool withNames)
    {
        var mean = Enumerable.Range(0, 16).Select(i => -8.0 + 0.1 * i).ToArray();
        var std = Enumerable.Range(0, 16).Select(i => 2.0 + 0.05 * i).ToArray();
        var map = new Dictionary<string, string>
        {
            [ModelFrontEnd.LogMelKey] = LogMel.ConfigKey,
            [ModelFrontEnd.ClipSecondsKey] = "0.5",
            [ModelFrontEnd.NormalizationKey] = new FeatureNormalizer(mean, std, 1000, LogMel.ConfigKey).ToJson(),
        };
        if (withNames) map[ModelFrontEnd.ClassesKey] = ModelFrontEnd.ClassNamesJson(Names);
        return map;
    }

    public static string Write(string dir, bool withNames = true)
    {
        string path = Path.Combine(dir, "model.safetensors");
        StaticNetworkFile.Save(path, Network(), FrontEnd(withNames));
        return path;
    }

    /// <summary>Deterministic test audio: tones and noise bursts.</summary>
    public static AudioClip Audio(double seconds, int seed, int sampleRate = 16000)
    {
        var rng = new Random(seed);
        var s = new float[(int)Math.Round(seconds * sampleRate)];
        for (int i = 0; i < s.Length; i++)
        {
            double t = (double)i / sampleRate;
            s[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (400 + 300 * Math.Sin(t)) * t) * (0.5 + 0.5 * Math.Sin(7 * t)) + 0.05 * (rng.NextDouble() - 0.5));
        }
        return new AudioClip(s, sampleRate);
    }
}
