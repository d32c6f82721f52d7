using AecOfa.Audio.Wav;
using AecOfa.Nas.Export;
using AecOfa.Nas.Inference;
using AecOfa.Pipelines.Inference;
using AecOfa.Nas.Static;

namespace AecOfa.Pipelines.Tests.Inference;

/// <summary>The code samples of docs/DEPLOY.md "Using the library" and "The compiled inference plan", verbatim apart
/// from the file names (the packed variant of the first runs in tests/pack-consume.sh).</summary>
public sealed class DeployDocSampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-doc-sample").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void UsingTheLibrary_SampleRuns()
    {
        string model = TinyModel.Write(_dir, withNames: false);
        string classes = Path.Combine(_dir, "classes.txt");
        File.WriteAllLines(classes, TinyModel.Names);
        string wav = Path.Combine(_dir, "recording.wav");
        WavWriter.Write(wav, TinyModel.Audio(1.2, 9));
        var console = new StringWriter();

        // --- sample ---
        var classifier = AudioClassifier.Load(model, new AudioClassifierOptions
        {
            Aggregation = WindowAggregation.Max,  // or Mean
            HopSeconds = null,                    // default: half the clip length
            ClassNames = File.ReadAllLines(classes), // optional when the model names its classes
        });
        ClassificationResult result = classifier.Classify(wav);
        foreach (ClassScore c in result.Top(3)) console.WriteLine($"{c.Name}: {c.Score:F3}");
        foreach (WindowScores w in result.Windows) console.WriteLine($"{w.StartSeconds:F2}-{w.EndSeconds:F2} s: {result.TopOf(w, 1)[0].Name}");

        var package = StaticNetworkFile.Load(model);
        OnnxExporter.Export(package.Network, Path.Combine(_dir, "best_subnet.onnx"), package.FrontEnd);
        // --- end ---

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3 + 4, lines.Length); // 3 classes, 4 windows (0, 0.25, 0.5, 0.7 s)
        Assert.Contains(TinyModel.Names, n => lines[0].StartsWith(n, StringComparison.Ordinal));
        Assert.True(new FileInfo(Path.Combine(_dir, "best_subnet.onnx")).Length > 0);
    }

    [Fact]
    public void CompiledInferencePlan_SampleRuns()
    {
        string model = TinyModel.Write(_dir);
        var clip = TinyModel.Audio(0.5, 2);
        float[] features = AudioClassifier.Load(model).Features(clip.Samples, 0);

        // --- sample ---
        var package = StaticNetworkFile.Load(model);
        var plan = InferencePlan.Compile(package.Network);       // weights copied: compile again after changing them
        var logits = new float[plan.Classes];
        plan.Run(features, logits);                               // features: plan.InputBins x plan.Frames, normalized log-mel
        // --- end ---

        var scores = AudioClassifier.Load(model).Classify(clip).Windows[0].Scores;
        for (int c = 0; c < logits.Length; c++) Assert.Equal(1.0 / (1.0 + Math.Exp(-logits[c])), scores[c], 1e-6);
    }
}
