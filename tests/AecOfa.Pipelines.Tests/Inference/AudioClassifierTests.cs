using AecOfa.Audio;
using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;
using AecOfa.Audio.Wav;
using AecOfa.Pipelines.Inference;

namespace AecOfa.Pipelines.Tests.Inference;

public sealed class AudioClassifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-predict").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void LongerFile_SlidingWindowsCoverTheFile_ClipScoreIsTheMaxOrMean()
    {
        string model = TinyModel.Write(_dir);
        var clip = TinyModel.Audio(1.6, 1);
        string wav = Path.Combine(_dir, "long.wav");
        WavWriter.Write(wav, clip, WavSampleFormat.Float32);
        var classifier = AudioClassifier.Load(model);
        Assert.True(classifier.HasClassNames);
        var r = classifier.Classify(wav);
        // 25600 samples, 8000 per window, hop 4000: starts 0..16000 and one window ending at the end (17600).
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0, 1.1], r.Windows.Select(w => Math.Round(w.StartSeconds, 6)));
        Assert.Equal(1.6, r.Windows[^1].EndSeconds, 9);
        for (int c = 0; c < 4; c++) Assert.Equal(r.Windows.Max(w => w.Scores[c]), r.Scores[c]);
        Assert.All(r.Scores, s => Assert.InRange(s, 0f, 1f));
        var top = r.Top(2);
        Assert.Equal(2, top.Count);
        Assert.True(top[0].Score >= top[1].Score);
        Assert.Equal(TinyModel.Names[top[0].Index], top[0].Name);

        // Each window scores exactly as that stretch classified on its own.
        var third = classifier.Classify(new AudioClip(clip.Samples.AsSpan(8000, 8000).ToArray(), 16000));
        Assert.Equal(third.Scores, r.Windows[2].Scores);

        var mean = AudioClassifier.Load(model, new AudioClassifierOptions { Aggregation = WindowAggregation.Mean, HopSeconds = 0.4 }).Classify(wav);
        Assert.Equal([0.0, 0.4, 0.8, 1.1], mean.Windows.Select(w => Math.Round(w.StartSeconds, 6)));
        for (int c = 0; c < 4; c++) Assert.Equal(mean.Windows.Average(w => (double)w.Scores[c]), mean.Scores[c], 6);
    }

    [Fact]
    public void ShorterFile_IsOneWindowZeroPaddedToTheClipLength()
    {
        string model = TinyModel.Write(_dir);
        var clip = TinyModel.Audio(0.3, 2);
        string wav = Path.Combine(_dir, "short.wav");
        WavWriter.Write(wav, clip, WavSampleFormat.Float32);
        var classifier = AudioClassifier.Load(model);
        var r = classifier.Classify(wav);
        Assert.Single(r.Windows);
        Assert.Equal(0.3, r.DurationSeconds, 6);
        var padded = new float[8000];
        clip.Samples.CopyTo(padded, 0);
        Assert.Equal(classifier.Classify(new AudioClip(padded, 16000)).Scores, r.Scores);
    }

    [Fact]
    public void MatchesTheTrainingPipeline_FixedClipFeaturesNormalizedThenNetwork()
    {
        var clip = TinyModel.Audio(0.5, 3);
        var classifier = AudioClassifier.Load(TinyModel.Write(_dir));
        var extractor = new LogMelExtractor(TinyModel.LogMel);
        var features = extractor.Extract(clip);
        FeatureNormalizer.FromJson(TinyModel.FrontEnd(true)[ModelFrontEnd.NormalizationKey]).Apply(features, 16);
        Assert.Equal(features, classifier.Features(clip.Samples, 0));
    }

    [Fact]
    public void Scores_AreTheEvalForwardsSigmoid_ThroughTheCompiledPlan()
    {
        var clip = TinyModel.Audio(0.5, 4);
        var classifier = AudioClassifier.Load(TinyModel.Write(_dir));
        var result = classifier.Classify(clip);
        var features = classifier.Features(clip.Samples, 0);
        var net = classifier.Network;
        AecOfa.Engine.Tensor logits;
        using (AecOfa.Engine.GradMode.NoGrad())
            logits = net.Forward(AecOfa.Engine.Tensor.FromArray(features, 1, 1, net.Space.Input.MelBins, net.Space.Input.Frames));
        Assert.Equal(logits.Numel, result.Windows[0].Scores.Length);
        for (int c = 0; c < logits.Numel; c++)
        {
            Assert.True(float.IsFinite(result.Windows[0].Scores[c]), $"class {c}: {result.Windows[0].Scores[c]}");
            Assert.Equal(1.0 / (1.0 + Math.Exp(-logits.Data[c])), result.Windows[0].Scores[c], 1e-5);
        }
    }

    [Fact]
    public void OtherSampleRatesAndStereoAreReadLikeTheLoader()
    {
        string model = TinyModel.Write(_dir);
        var clip = TinyModel.Audio(0.7, 4, sampleRate: 22050);
        var stereo = new float[clip.Samples.Length * 2];
        for (int i = 0; i < clip.Samples.Length; i++) stereo[2 * i] = stereo[2 * i + 1] = clip.Samples[i];
        string wav = Path.Combine(_dir, "stereo.wav");
        WavWriter.Write(wav, stereo, 2, 22050, WavSampleFormat.Float32);
        var r = AudioClassifier.Load(model).Classify(wav);
        var resampled = new Resampler(22050, 16000).Process(clip);
        Assert.Equal(AudioClassifier.Load(model).Classify(resampled).Scores, r.Scores);
    }

    [Fact]
    public void WithoutClassNames_IndicesAreUsed_AndSaid()
    {
        var classifier = AudioClassifier.Load(TinyModel.Write(_dir, withNames: false));
        Assert.False(classifier.HasClassNames);
        Assert.Equal(["0", "1", "2", "3"], classifier.ClassNames);
        Assert.Contains(classifier.FrontEnd.Notes, n => n.Contains("classes", StringComparison.Ordinal));
        var named = AudioClassifier.Load(TinyModel.Write(_dir, withNames: false), new AudioClassifierOptions { ClassNames = TinyModel.Names });
        Assert.True(named.HasClassNames);
        Assert.Throws<ArgumentException>(() => AudioClassifier.Load(TinyModel.Write(_dir, withNames: false), new AudioClassifierOptions { ClassNames = ["a"] }));
    }

    [Theory]
    [InlineData(8000, 8000, 4000, new[] { 0 })]
    [InlineData(100, 8000, 4000, new[] { 0 })]
    [InlineData(12000, 8000, 4000, new[] { 0, 4000 })]
    [InlineData(13000, 8000, 4000, new[] { 0, 4000, 5000 })]
    [InlineData(20000, 8000, 8000, new[] { 0, 8000, 12000 })]
    public void WindowStarts(int samples, int clip, int hop, int[] expected) =>
        Assert.Equal(expected, AudioClassifier.WindowStarts(samples, clip, hop));

    [Fact]
    public void LogMelKey_RoundTrips()
    {
        foreach (var o in new[]
        {
            new LogMelOptions(),
            new LogMelOptions { SampleRate = 22050, FftSize = 1024, WindowLength = 1024, HopLength = 315, MelBins = 40, FMin = 0, FMax = 11000.5,
                MelScale = MelScale.Htk, MelNormalization = MelNormalization.None, Log = LogCompression.DecibelsClamped, LogFloor = 1e-10, Padding = StftPadding.None },
        })
        {
            Assert.Equal(o, ModelFrontEnd.ParseLogMelKey(o.ConfigKey));
        }
        Assert.Throws<FormatException>(() => ModelFrontEnd.ParseLogMelKey("logmel-v2;sr=1"));
        Assert.Throws<FormatException>(() => ModelFrontEnd.ParseLogMelKey(new LogMelOptions().ConfigKey + ";extra=1"));
    }
}
