using System.Security.Cryptography;
using System.Text;
using AecOfa.Audio.Augmentation;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Audio.Wav;
using AecOfa.Nas.Training;

namespace AecOfa.Pipelines.Data;

/// <summary>How a manifest becomes training data (every setting here changes the features or the splits).</summary>
public sealed record DatasetOptions
{
    /// <summary>Clip length in seconds (crop or zero-pad); null = chosen from the training files' durations
    /// (their 95th percentile rounded up to 0.1 s, at most 10 s).</summary>
    public double? ClipSeconds { get; init; }

    /// <summary>Model sample rate; every file is resampled to it.</summary>
    public int SampleRate { get; init; } = 16000;

    public int MelBins { get; init; } = 64;

    /// <summary>Fraction of the training split carved out as validation when the manifest has no "val" split
    /// (stratified by first label, deterministic).</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Seed of the carved validation split and of the recalibration subset.</summary>
    public int SplitSeed { get; init; } = 20260101;

    /// <summary>Multi-label or single-label; null = detected (every row exactly one label -> single-label).</summary>
    public TaskKind? Task { get; init; }

    /// <summary>Where the feature cache lives; null = "features.cache" in the caller's folder.</summary>
    public string? CachePath { get; init; }

    public UnreadableFilePolicy UnreadableFiles { get; init; } = UnreadableFilePolicy.Stop;

    public void Validate()
    {
        if (ClipSeconds is { } s && !(s > 0 && s <= 60)) throw new ArgumentException($"clip seconds = {s}: must be in (0, 60].");
        if (SampleRate is < 4000 or > 192000) throw new ArgumentException($"sample rate = {SampleRate}: must be in 4000..192000.");
        if (MelBins is < 8 or > 256) throw new ArgumentException($"mel bins = {MelBins}: must be in 8..256.");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.9)) throw new ArgumentException($"validation fraction = {ValidationFraction}: must be in (0, 0.9).");
    }
}

/// <summary>
/// A manifest turned into what training, search and evaluation consume: the log-mel feature cache (built once,
/// reused while the manifest and front end are unchanged), normalization fitted on the training split only, the
/// train / validation / test splits as <see cref="FeatureSplit"/>s (validation carved from train when the manifest
/// has none), the task kind, and a fixed shuffled subset of the training clips for BN recalibration (a manifest
/// sorted by class would otherwise recalibrate on one class).
/// </summary>
public sealed class PreparedDataset : IDisposable
{
    public const string TrainSplit = "train", ValidationSplit = "val", TestSplit = "test";

    private readonly FeatureCache _cache;

    private PreparedDataset(Manifest manifest, FeatureCache cache, LogMelOptions logMel, double clipSeconds, FeatureNormalizer normalizer,
        TaskKind task, int[] train, int[] validation, int[] test, bool carved, DatasetOptions options)
    {
        Manifest = manifest;
        _cache = cache;
        LogMel = logMel;
        ClipSeconds = clipSeconds;
        Normalizer = normalizer;
        Task = task;
        ValidationWasCarved = carved;
        Options = options;
        Train = new FeatureSplit(cache, TrainSplit, train, normalizer);
        Validation = new FeatureSplit(cache, ValidationSplit, validation, normalizer);
        Test = new FeatureSplit(cache, TestSplit, test, normalizer);
        var shuffled = (int[])train.Clone();
        new Random(options.SplitSeed).Shuffle(shuffled);
        Recalibration = new FeatureSplit(cache, "recalibration", shuffled, normalizer);
        Identity = ComputeIdentity();
    }

    public Manifest Manifest { get; }
    public FeatureCache Cache => _cache;
    public LogMelOptions LogMel { get; }
    public double ClipSeconds { get; }
    public FeatureNormalizer Normalizer { get; }
    public TaskKind Task { get; }
    public DatasetOptions Options { get; }

    /// <summary>True when the manifest had no "val" split and validation was carved out of "train".</summary>
    public bool ValidationWasCarved { get; }

    public FeatureSplit Train { get; }
    public FeatureSplit Validation { get; }

    /// <summary>The test split (may be empty: then nothing is reported on test).</summary>
    public FeatureSplit Test { get; }

    /// <summary>The training clips in a fixed shuffled order, never augmented: BN recalibration reads its first clips.</summary>
    public FeatureSplit Recalibration { get; }

    public IReadOnlyList<string> ClassNames => Manifest.Classes.Names;
    public int Classes => _cache.ClassCount;
    public int MelBins => _cache.Bins;
    public int Frames => _cache.FixedFrames;

    /// <summary>Hex SHA-256 over the feature cache key, the splits' clip lists, the normalization and the task:
    /// everything about the data that changes a training run's results.</summary>
    public string Identity { get; }

    /// <summary>Training batches with the given augmentation (the same clips as <see cref="Train"/>).</summary>
    public FeatureSplit TrainWith(SpecAugment? specAugment, Mixup? mixup) => Train.WithAugmentation(specAugment, mixup);

    /// <summary>The manifest file a --manifest argument names (the file, or manifest.csv in the folder); a clear error
    /// naming it when there is none. Callers check it before they create anything.</summary>
    public static string ManifestFile(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        string path = Directory.Exists(manifestPath) ? System.IO.Path.Combine(manifestPath, Manifest.FileName) : manifestPath;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: manifest not found (expected a manifest.csv or a folder holding one).", path);
        return path;
    }

    /// <summary>Reads the manifest, builds or reuses the feature cache, fits the normalization and forms the splits.</summary>
    /// <param name="manifestPath">manifest.csv, or the folder holding it.</param>
    /// <param name="options">Front end, clip length, validation carve-out and cache settings.</param>
    /// <param name="cacheFolder">Where the cache goes when <see cref="DatasetOptions.CachePath"/> is null.</param>
    /// <param name="log">Progress lines (optional).</param>
    /// <param name="progress">Clips featurized so far while the cache is built (optional).</param>
    /// <param name="cancellationToken">Stops the cache build.</param>
    public static PreparedDataset Open(string manifestPath, DatasetOptions options, string cacheFolder, TextWriter? log = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string path = ManifestFile(manifestPath);
        // A clip with no label is a valid negative of every class in multi-label data (background-only clips).
        var manifest = Manifest.Read(path, new ManifestReadOptions(AllowEmptyLabels: true) { RequiredSplits = [TrainSplit] });
        var trainEntries = manifest.IndicesOfSplit(TrainSplit);
        if (trainEntries.Length < 2)
            throw new InvalidDataException($"{path}: the '{TrainSplit}' split has {trainEntries.Length} clip(s); training needs at least 2 (splits present: {string.Join(", ", manifest.Entries.Select(e => e.Split).Distinct().Order())}).");
        double seconds = options.ClipSeconds ?? ChooseClipSeconds(manifest, trainEntries);
        var logMel = new LogMelOptions { SampleRate = options.SampleRate, MelBins = options.MelBins };
        var loader = new ManifestAudioLoader(manifest, options.SampleRate, options.UnreadableFiles);
        string cachePath = options.CachePath ?? System.IO.Path.Combine(cacheFolder, "features.cache");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(cachePath))!);
        var opened = FeatureCache.OpenOrBuild(cachePath, loader, new LogMelExtractor(logMel),
            new FeatureCacheOptions(ClipLengthPolicy.Fixed(seconds)), progress, cancellationToken);
        var cache = opened.Cache;
        try
        {
            string how = opened.RepairedClips.Count > 0 ? $"repaired {opened.RepairedClips.Count} damaged clip(s): {opened.BuildReason}"
                : opened.Built ? "built: " + opened.BuildReason : "reused";
            log?.WriteLine($"features: {cache.ClipCount} clips of {seconds:0.###} s, {cache.Bins} mel bins x {cache.FixedFrames} frames, {cache.ClassCount} classes ({how}, {cache.Path})");
            if (cache.Skipped.Count > 0) log?.WriteLine($"features: skipped {cache.Skipped.Count} unreadable clip(s)");
            var train = cache.ClipsOfSplit(TrainSplit);
            var validation = cache.ClipsOfSplit(ValidationSplit);
            bool carved = false;
            if (validation.Length == 0)
            {
                (train, validation) = StratifiedSplit.Carve(train, clip => FirstLabel(cache, clip), options.ValidationFraction, options.SplitSeed);
                carved = true;
                log?.WriteLine($"splits: no '{ValidationSplit}' split in the manifest; carved {validation.Length} of {validation.Length + train.Length} training clips as validation (stratified, seed {options.SplitSeed})");
            }
            var test = cache.ClipsOfSplit(TestSplit);
            var task = options.Task ?? DetectTask(cache, manifest);
            var normalizer = FitNormalizer(cache, train, logMel.ConfigKey);
            log?.WriteLine($"splits: train {train.Length}, val {validation.Length}, test {test.Length}; task {(task == TaskKind.SingleLabel ? "single-label" : "multi-label")}{(options.Task is null ? " (detected)" : "")}");
            return new PreparedDataset(manifest, cache, logMel, seconds, normalizer, task, train, validation, test, carved, options);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>Single-label when every clip of the manifest has exactly one label.</summary>
    public static TaskKind DetectTask(FeatureCache cache, Manifest manifest)
    {
        for (int clip = 0; clip < cache.ClipCount; clip++)
            if (cache.LabelIndices(clip).Length != 1) return TaskKind.MultiLabel;
        return cache.ClipCount > 0 ? TaskKind.SingleLabel : TaskKind.MultiLabel;
    }

    private static int FirstLabel(FeatureCache cache, int clip)
    {
        var labels = cache.LabelIndices(clip);
        return labels.Length > 0 ? labels[0] : -1;
    }

    /// <summary>The 95th percentile of the training files' durations, rounded up to 0.1 s, in [0.1, 10].</summary>
    private static double ChooseClipSeconds(Manifest manifest, int[] trainEntries)
    {
        var durations = new List<double>(trainEntries.Length);
        foreach (int e in trainEntries)
        {
            try
            {
                var info = WavReader.ReadInfo(manifest.FullPath(e));
                durations.Add((double)info.Frames / info.SampleRate);
            }
            catch (Exception ex) when (ex is IOException or AudioFormatException or UnauthorizedAccessException)
            {
                // Unreadable files are reported by the feature build with their names; they do not vote here.
            }
        }
        if (durations.Count == 0) return ClipLengthPolicy.DefaultSeconds;
        durations.Sort();
        double p95 = durations[Math.Min(durations.Count - 1, (int)Math.Ceiling(0.95 * durations.Count) - 1)];
        return Math.Clamp(Math.Ceiling(p95 * 10 - 1e-9) / 10, 0.1, 10.0);
    }

    /// <summary>Per-mel-bin mean and std over every frame of the given training clips (clip order: deterministic).</summary>
    private static FeatureNormalizer FitNormalizer(FeatureCache cache, int[] clips, string configKey)
    {
        if (clips.Length == 0) throw new InvalidDataException($"{cache.Path}: no training clips to fit the feature normalization on.");
        var statistics = new FeatureStatistics(cache.Bins);
        foreach (int clip in clips) statistics.Add(cache.Features(clip), cache.Bins, $"{cache.Path} clip {clip} (split {TrainSplit})");
        return statistics.ToNormalizer(featureConfigKey: configKey);
    }

    private string ComputeIdentity()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(_cache.KeyHex);
        Add(Task.ToString());
        Add(Normalizer.ToJson());
        foreach (var split in new[] { Train, Validation, Test }) Add(split.Name + ":" + string.Join(",", split.Clips));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The front-end settings stored with every model of this data (see StaticNetworkFile and
    /// <see cref="Inference.ModelFrontEnd"/>, which reads them back).</summary>
    public Dictionary<string, string> FrontEndMetadata() => new(StringComparer.Ordinal)
    {
        [Inference.ModelFrontEnd.LogMelKey] = LogMel.ConfigKey,
        [Inference.ModelFrontEnd.ClipSecondsKey] = ClipSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        [Inference.ModelFrontEnd.NormalizationKey] = Normalizer.ToJson(),
        [Inference.ModelFrontEnd.ClassesKey] = Inference.ModelFrontEnd.ClassNamesJson(ClassNames),
        ["task"] = Task == TaskKind.SingleLabel ? "single-label" : "multi-label",
    };

    public void Dispose() => _cache.Dispose();
}
