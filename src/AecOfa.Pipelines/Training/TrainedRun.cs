using System.Text.Json;
using AecOfa.Engine.IO;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Pipelines.Training;

/// <summary>
/// A finished (or interrupted) run folder read back: its resolved settings, its space, and its network — the
/// supernet from the checkpoint (full, sandwich, progressive) or the fixed network (standalone, kd). What search,
/// extraction, evaluation, teachers and warm starts load.
/// </summary>
public sealed class TrainedRun
{
    private TrainedRun(string folder, TrainingRunSettings settings, ArchSpace space, ArchConfig? config)
    {
        Folder = folder;
        Settings = settings;
        Space = space;
        Config = config;
    }

    public string Folder { get; }
    public TrainingRunSettings Settings { get; }
    public ArchSpace Space { get; }

    /// <summary>The fixed network's config (standalone, kd); null for supernet runs.</summary>
    public ArchConfig? Config { get; }

    public bool IsSupernet => Config is null;

    public string CheckpointPath => Path.Combine(Folder, TrainingRun.CheckpointFile);

    /// <summary>Opens a run folder, or the folder of a checkpoint file inside one.</summary>
    public static TrainedRun Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string folder = File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : Path.GetFullPath(path);
        string configPath = Path.Combine(folder, TrainingRun.ConfigFile), spacePath = Path.Combine(folder, TrainingRun.SpaceFile);
        if (!File.Exists(configPath) || !File.Exists(spacePath))
            throw new FileNotFoundException($"{path}: not a training run folder (expected {TrainingRun.ConfigFile} and {TrainingRun.SpaceFile} from `aecofa train`).", configPath);
        var settings = TrainingRunSettings.Load(configPath);
        var space = ArchSpace.Load(spacePath);
        string archPath = Path.Combine(folder, TrainingRun.ArchFile);
        var config = File.Exists(archPath) ? ArchConfig.Load(archPath, space) : null;
        return new TrainedRun(folder, settings, space, config);
    }

    /// <summary>The supernet with the checkpoint's weights and BN statistics (no optimizer state).</summary>
    public OfaSupernet LoadSupernet()
    {
        if (!IsSupernet) throw new InvalidOperationException($"{Folder}: a {Settings.Strategy.ToString().ToLowerInvariant()} run trains one fixed network, not a supernet.");
        var supernet = new OfaSupernet(Space, Settings.Seed);
        RequireCheckpoint();
        Checkpoint.Load(CheckpointPath, supernet);
        return supernet;
    }

    /// <summary>The trained network: the supernet, or the fixed network with the checkpoint's weights.</summary>
    public IArchNetwork LoadNetwork()
    {
        if (IsSupernet) return LoadSupernet();
        var network = new StaticMbv3Network(Space, Config!, Settings.Seed);
        RequireCheckpoint();
        Checkpoint.Load(CheckpointPath, network);
        return network;
    }

    private void RequireCheckpoint()
    {
        if (!File.Exists(CheckpointPath)) throw new FileNotFoundException($"{CheckpointPath}: the run has no checkpoint yet (was it started?).", CheckpointPath);
    }

    /// <summary>The run's data as it trained on it (same manifest, front end, splits and normalization; the cache is
    /// reused).</summary>
    public Data.PreparedDataset OpenData(TextWriter? log = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Data.PreparedDataset.Open(Settings.Manifest, Settings.Data, Folder, log, progress, cancellationToken);

    /// <summary>The results.json of a finished run, or null.</summary>
    public JsonDocument? Results()
    {
        string p = Path.Combine(Folder, TrainingRun.ResultsFile);
        return File.Exists(p) ? JsonDocument.Parse(File.ReadAllText(p)) : null;
    }
}
