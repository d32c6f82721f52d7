using System.Globalization;
using System.Numerics.Tensors;
using AecOfa.Audio;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Nas.Inference;
using AecOfa.Nas.Static;

namespace AecOfa.Pipelines.Inference;

/// <summary>
/// Classifies audio with an extracted sub-network file (<see cref="StaticNetworkFile"/>) on this library's engine;
/// no training code runs. The front end is rebuilt from the file's metadata (<see cref="ModelFrontEnd"/>): WAV of
/// any format the loader reads → mono at the model's sample rate → log-mel → per-bin normalization → network →
/// sigmoid scores per class (multi-label). The network runs as a compiled <see cref="InferencePlan"/> (BN folded,
/// fused, allocation-free batch-1 kernels), built once here from the network's weights at construction.
/// Windows: a file no longer than the training clip is one window, zero-padded at the end to the clip length (as
/// the training clips were). A longer file is cut into clip-length windows starting every
/// <see cref="AudioClassifierOptions.HopSeconds"/> (default: half a clip), plus one window ending exactly at the
/// end of the file when the regular ones do not reach it, so every sample is covered and no window is padded. The
/// clip-level score per class is the max (default) or the mean over windows.
/// One Classify call at a time per instance.
/// </summary>
public sealed class AudioClassifier
{
    private readonly LogMelExtractor _extractor;
    private readonly WavFileDecoder _decoder = new();
    private readonly IReadOnlyList<string> _classNames;
    private readonly InferencePlan _plan;

    public AudioClassifier(StaticMbv3Network network, ModelFrontEnd frontEnd, AudioClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(frontEnd);
        Network = network;
        FrontEnd = frontEnd;
        Options = options ?? new AudioClassifierOptions();
        if (Options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.BatchSize, "AudioClassifierOptions.BatchSize must be at least 1");
        if (Options.HopSeconds is { } hop && !(hop > 0 && double.IsFinite(hop)))
            throw new ArgumentOutOfRangeException(nameof(options), hop, "AudioClassifierOptions.HopSeconds must be a positive number of seconds");
        _extractor = new LogMelExtractor(frontEnd.LogMel);
        frontEnd.Normalizer?.EnsureCompatible(_extractor);
        int frames = _extractor.FrameCount(frontEnd.ClipSamples);
        if (frames != network.Space.Input.Frames)
            throw new FormatException($"a {frontEnd.ClipSeconds.ToString(CultureInfo.InvariantCulture)} s clip gives {frames} log-mel frames, the network was built for {network.Space.Input.Frames}");
        var names = Options.ClassNames ?? frontEnd.ClassNames;
        if (names is not null && names.Count != network.Space.Classes)
            throw new ArgumentException($"{names.Count} class names given, the model has {network.Space.Classes} classes");
        HasClassNames = names is not null;
        _classNames = names ?? Enumerable.Range(0, network.Space.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        network.Eval();
        _plan = InferencePlan.Compile(network);
    }

    /// <summary>Loads a model file written by <see cref="StaticNetworkFile.Save"/> (e.g. the demo's best_subnet.safetensors).</summary>
    public static AudioClassifier Load(string modelPath, AudioClassifierOptions? options = null)
    {
        var package = StaticNetworkFile.Load(modelPath);
        ModelFrontEnd frontEnd;
        try
        {
            frontEnd = ModelFrontEnd.FromMetadata(package.FrontEnd, package.Network.Space);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{modelPath}: {e.Message}", e);
        }
        return new AudioClassifier(package.Network, frontEnd, options);
    }

    public StaticMbv3Network Network { get; }
    public ModelFrontEnd FrontEnd { get; }
    public AudioClassifierOptions Options { get; }

    /// <summary>False when the class names are indices ("0", "1", ...): neither the model nor the options named them.</summary>
    public bool HasClassNames { get; }

    public IReadOnlyList<string> ClassNames => _classNames;

    public int SampleRate => FrontEnd.LogMel.SampleRate;

    /// <summary>Hop between windows in samples.</summary>
    public int HopSamples => Math.Max(1, (int)Math.Round((Options.HopSeconds ?? FrontEnd.ClipSeconds / 2) * SampleRate));

    /// <summary>Reads a WAV file (any PCM/float format, any channel count and rate) and classifies it.</summary>
    public ClassificationResult Classify(string wavPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(wavPath);
        return Classify(_decoder.Decode(wavPath, SampleRate), wavPath);
    }

    /// <summary>Classifies mono audio at <see cref="SampleRate"/>.</summary>
    public ClassificationResult Classify(AudioClip clip, string source = "clip")
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.SampleRate != SampleRate)
            throw new ArgumentException($"{source}: audio is {clip.SampleRate} Hz, the model expects {SampleRate} Hz (Classify(path) resamples)", nameof(clip));
        var starts = WindowStarts(clip.Samples.Length, FrontEnd.ClipSamples, HopSamples);
        int classes = Network.Space.Classes;
        var windows = new List<WindowScores>(starts.Count);
        for (int first = 0; first < starts.Count; first += Options.BatchSize)
        {
            int count = Math.Min(Options.BatchSize, starts.Count - first);
            var scores = Scores(clip.Samples, starts.Skip(first).Take(count).ToArray());
            for (int w = 0; w < count; w++)
            {
                int start = starts[first + w];
                windows.Add(new WindowScores((double)start / SampleRate, (double)(start + FrontEnd.ClipSamples) / SampleRate,
                    scores.AsSpan(w * classes, classes).ToArray()));
            }
        }
        var clipScores = new float[classes];
        for (int c = 0; c < classes; c++)
        {
            clipScores[c] = Options.Aggregation == WindowAggregation.Max
                ? windows.Max(w => w.Scores[c])
                : (float)windows.Average(w => (double)w.Scores[c]);
        }
        return new ClassificationResult(source, clip.DurationSeconds, windows, clipScores, Options.Aggregation, _classNames);
    }

    /// <summary>Window start offsets for <paramref name="samples"/> samples (see the type's remarks).</summary>
    public static IReadOnlyList<int> WindowStarts(int samples, int clipSamples, int hopSamples)
    {
        if (clipSamples < 1) throw new ArgumentOutOfRangeException(nameof(clipSamples));
        if (hopSamples < 1) throw new ArgumentOutOfRangeException(nameof(hopSamples));
        if (samples <= clipSamples) return [0];
        var starts = new List<int>();
        int s = 0;
        for (; s + clipSamples <= samples; s += hopSamples) starts.Add(s);
        if (starts[^1] + clipSamples < samples) starts.Add(samples - clipSamples);
        return starts;
    }

    /// <summary>Normalized log-mel features of one clip-length window (zero-padded at the end): Bins x Frames.</summary>
    public float[] Features(ReadOnlySpan<float> samples, int start)
    {
        int clip = FrontEnd.ClipSamples;
        var window = new float[clip];
        int available = Math.Clamp(samples.Length - start, 0, clip);
        samples.Slice(start, available).CopyTo(window);
        int frames = _extractor.FrameCount(clip);
        var features = new float[_extractor.Bins * frames];
        _extractor.Extract(window, features);
        FrontEnd.Normalizer?.Apply(features, _extractor.Bins);
        return features;
    }

    private float[] Scores(float[] samples, int[] starts)
    {
        int classes = Network.Space.Classes;
        var scores = new float[starts.Length * classes];
        for (int i = 0; i < starts.Length; i++)
        {
            var logits = scores.AsSpan(i * classes, classes);
            _plan.Run(Features(samples, starts[i]), logits);
            TensorPrimitives.Sigmoid(logits, logits);
        }
        return scores;
    }
}
