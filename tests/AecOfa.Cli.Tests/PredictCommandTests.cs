using System.Text.Json;
using AecOfa.Audio;
using AecOfa.Audio.Features;
using AecOfa.Audio.Wav;
using AecOfa.Cli;
using AecOfa.Pipelines.Inference;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>`aecofa export` and `aecofa predict` on a small model file and WAVs longer and shorter than its clip.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-cli-predict").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string WriteModel(bool withNames)
    {
        var logMel = new LogMelOptions { MelBins = 16 };
        var space = new ArchSpace
        {
            Input = new InputSpec { MelBins = 16, Frames = 51, MelBinChoices = [16, 8], HopFactorChoices = [1, 2] },
            StemWidth = 8,
            Stages = [new(8, 2, Activation.Relu, false), new(16, 2, Activation.Hswish, true)],
            MaxDepth = 2,
            KernelChoices = [3, 5],
            ExpandChoices = [2, 3],
            DepthChoices = [1, 2],
            FinalExpandWidth = 24,
            FeatureMixWidth = 32,
            Classes = 3,
        };
        var net = new StaticMbv3Network(space, ArchConfig.Uniform(space, 2, 3, 2, melBins: 8, hopFactor: 2), seed: 7);
        var frontEnd = new Dictionary<string, string>
        {
            ["logmel"] = logMel.ConfigKey,
            ["clip_seconds"] = "0.5",
            ["normalization"] = new FeatureNormalizer(Enumerable.Repeat(-6.0, 16).ToArray(), Enumerable.Repeat(3.0, 16).ToArray(), 1, logMel.ConfigKey).ToJson(),
        };
        if (withNames) frontEnd["classes"] = ModelFrontEnd.ClassNamesJson(["siren", "doorbell", "knock"]);
        string path = Path.Combine(_dir, withNames ? "named.safetensors" : "unnamed.safetensors");
        StaticNetworkFile.Save(path, net, frontEnd);
        return path;
    }

    private string WriteWav(string name, double seconds)
    {
        var s = new float[(int)(seconds * 16000)];
        for (int i = 0; i < s.Length; i++) s[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 880 * i / 16000.0) * (i % 4000 < 2000 ? 1 : 0.1));
        string path = Path.Combine(_dir, name);
        WavWriter.Write(path, new AudioClip(s, 16000));
        return path;
    }

    [Fact]
    public void Predict_Text_LongFileListsWindows_ShortFileOneLine()
    {
        string model = WriteModel(withNames: true);
        string longWav = WriteWav("long.wav", 1.3), shortWav = WriteWav("short.wav", 0.2);
        var (code, output, err) = Run("predict", model, longWav, shortWav, "--top", "2");
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(longWav, StringComparison.Ordinal) && l.Contains("5 windows, max over windows", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("0.80-1.30 s:", StringComparison.Ordinal)); // the window ending at the end
        Assert.Contains(lines, l => l.StartsWith(shortWav + " (0.20 s):", StringComparison.Ordinal));
        Assert.DoesNotContain("by index", output);
        Assert.Contains("siren", output);
    }

    [Fact]
    public void Predict_Json_HasEveryWindowAndTopK_AndIndicesWithoutNames()
    {
        string model = WriteModel(withNames: false);
        string longWav = WriteWav("long.wav", 1.3), shortWav = WriteWav("short.wav", 0.2);
        var (code, output, err) = Run("predict", model, longWav, shortWav, "--json", "--top", "1", "--aggregate", "mean", "--hop", "0.3");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("class_names_from_model").GetBoolean());
        Assert.Equal("mean", root.GetProperty("aggregation").GetString());
        Assert.Equal(0.3, root.GetProperty("hop_seconds").GetDouble(), 6);
        var files = root.GetProperty("files");
        Assert.Equal(2, files.GetArrayLength());
        Assert.Equal(4, files[0].GetProperty("windows").GetArrayLength()); // starts 0, 0.3, 0.6 and 0.8 (ends at the end)
        Assert.Equal(1, files[1].GetProperty("windows").GetArrayLength());
        var top = files[0].GetProperty("top");
        Assert.Equal(1, top.GetArrayLength());
        Assert.Matches("^[0-2]$", top[0].GetProperty("name").GetString()!);
    }

    [Fact]
    public void Predict_ClassesFile_NamesTheOutputs()
    {
        string model = WriteModel(withNames: false);
        string classes = Path.Combine(_dir, "classes.txt");
        File.WriteAllLines(classes, ["a_class", "b_class", "c_class"]);
        var (code, output, err) = Run("predict", model, WriteWav("x.wav", 0.5), "--classes", classes);
        Assert.True(code == 0, err);
        Assert.Contains("_class", output);
    }

    [Fact]
    public void Export_WritesAnOnnxFile_WithClassNames()
    {
        string model = WriteModel(withNames: false);
        string classes = Path.Combine(_dir, "classes.txt");
        File.WriteAllLines(classes, ["a", "b", "c"]);
        string onnx = Path.Combine(_dir, "m.onnx");
        var (code, output, err) = Run("export", model, "--onnx", onnx, "--classes", classes);
        Assert.True(code == 0, err);
        Assert.Contains("opset 17", output);
        var bytes = File.ReadAllBytes(onnx);
        Assert.True(bytes.Length > 1000);
        Assert.Contains("frontend.classes", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Errors_AreOneLine()
    {
        var (code, _, err) = Run("predict", Path.Combine(_dir, "missing.safetensors"), Path.Combine(_dir, "x.wav"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
        string notModel = Path.Combine(_dir, "not.safetensors");
        File.WriteAllText(notModel, "nope");
        (code, _, err) = Run("export", notModel, "--onnx", Path.Combine(_dir, "o.onnx"));
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", err);
    }
}
