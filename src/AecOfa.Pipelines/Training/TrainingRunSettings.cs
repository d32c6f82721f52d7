using System.Text.Json;
using System.Text.Json.Serialization;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;

namespace AecOfa.Pipelines.Training;

/// <summary>The kinds of training run (`aecofa train --strategy`).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStrategy>))]
public enum RunStrategy
{
    /// <summary>The largest sub-network alone, on the labels: the teacher of the other runs.</summary>
    Full,

    /// <summary>Supernet by the sandwich rule (largest + smallest + random sub-networks per step).</summary>
    Sandwich,

    /// <summary>Supernet by OFA's progressive shrinking, started from and distilled by a full-network run.</summary>
    Progressive,

    /// <summary>Baseline: one architecture from scratch.</summary>
    Standalone,

    /// <summary>Baseline: one architecture with knowledge distillation from a frozen teacher.</summary>
    Kd,
}

/// <summary>
/// Every setting of a training run, with defaults meant for a small dataset (a few thousand clips) on 2 cores: the
/// OFA MobileNetV3 space at width x0.25 with elastic input resolution, 20 epochs of batch 32, SGD Nesterov at 0.1
/// with cosine decay, SpecAugment, label smoothing 0.1 for single-label data. Written resolved to
/// RUN_DIR/config.json; loadable from a JSON file (<see cref="Load"/>) and overridable field by field.
/// </summary>
public sealed record TrainingRunSettings
{
    /// <summary>manifest.csv (or its folder).</summary>
    public string Manifest { get; init; } = "";

    public RunStrategy Strategy { get; init; } = RunStrategy.Sandwich;

    /// <summary>For standalone/kd: "smallest", "largest", or an ArchConfig JSON file.</summary>
    public string? Arch { get; init; }

    /// <summary>A run folder (or its checkpoint) of a full-network run, or an extracted model file: the frozen
    /// teacher of kd / progressive (and optional for sandwich: then students learn from it instead of in place).</summary>
    public string? Teacher { get; init; }

    public DatasetOptions Data { get; init; } = new();

    public double WidthMultiplier { get; init; } = 0.25;

    /// <summary>The space's structure (stages, choice sets, input choices) instead of OFA's MobileNetV3 space; its
    /// width multiplier, input size and classes come from this run. Null = the default.</summary>
    [JsonConverter(typeof(ArchSpaceJsonConverter))]
    public Nas.Space.ArchSpace? Space { get; init; }

    /// <summary>Mel bins {B, 3B/4, B/2} and frame hop x{1, 2} as genes of the space.</summary>
    public bool ElasticResolution { get; init; } = true;

    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 32;
    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.SgdNesterov;
    public float LearningRate { get; init; } = 0.1f;
    public float WeightDecay { get; init; } = 3e-5f;

    /// <summary>Warm-up in epochs (at most a quarter of the run).</summary>
    public double WarmupEpochs { get; init; } = 1.0;

    /// <summary>Single-label only.</summary>
    public float LabelSmoothing { get; init; } = 0.1f;

    public bool SpecAugment { get; init; } = true;

    /// <summary>Mixup alpha (multi-label only); 0 = off.</summary>
    public double Mixup { get; init; }

    /// <summary>Sandwich: random sub-networks per step besides the largest and the smallest.</summary>
    public int RandomSubnets { get; init; } = SandwichStrategy.DefaultRandomSubnets;

    /// <summary>Sandwich: students learn from the teacher only ("teacher", BigNAS) or labels + kd ("labels+teacher", OFA).</summary>
    public string StudentTarget { get; init; } = "teacher";

    /// <summary>Sandwich with a --teacher run: the students distill from the frozen teacher ("frozen", default) or
    /// from the step's largest sub-network ("in-place"; the teacher run then only provides the starting weights).</summary>
    public string StudentTeacher { get; init; } = "frozen";

    /// <summary>Weight of the distillation loss (kd, progressive, sandwich with labels+teacher).</summary>
    public float KdRatio { get; init; } = 1f;

    /// <summary>Single-label KL distillation temperature.</summary>
    public float KdTemperature { get; init; } = 1f;

    /// <summary>Start the supernet from the teacher run's weights (OFA starts progressive shrinking from the trained
    /// full network). Null = yes for progressive, and for sandwich when a teacher run is given.</summary>
    public bool? WarmStart { get; init; }

    /// <summary>Progressive shrinking: a fresh optimizer per phase (OFA) instead of keeping and permuting momentum.</summary>
    public bool ResetOptimizerPerPhase { get; init; } = true;

    /// <summary>Training clips (fixed, shuffled subset) for exact BN recalibration before each evaluation.</summary>
    public int RecalibrationClips { get; init; } = 500;

    /// <summary>Validate after every epoch (largest, smallest and a middle sub-network for supernets).</summary>
    public bool ValidateEveryEpoch { get; init; } = true;

    public int Seed { get; init; } = 1;

    /// <summary>Checkpoint at least this often inside an epoch (minutes); epochs always end with one.</summary>
    public double CheckpointMinutes { get; init; } = 10;

    /// <summary>Also checkpoint every N steps inside an epoch; 0 = off.</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Engine threads for training steps: 0 = measured (all cores or one, whichever steps faster here); n = n.
    /// Never changes results.</summary>
    public int Threads { get; init; }

    /// <summary>Checks every field; the message names the setting as the CLI spells it.</summary>
    public void Validate()
    {
        static void Check(bool ok, string option, object? value, string expected)
        {
            if (!ok) throw new ArgumentException($"{option} = {value}: must be {expected}.");
        }
        Check(!string.IsNullOrWhiteSpace(Manifest), "--manifest", Manifest, "a manifest.csv or its folder");
        Check(Enum.IsDefined(Strategy), "--strategy", Strategy, "full, sandwich, progressive, standalone or kd");
        Check(Strategy is not (RunStrategy.Standalone or RunStrategy.Kd) || !string.IsNullOrWhiteSpace(Arch), "--arch", Arch, "given for standalone and kd (smallest, largest or an ArchConfig JSON file)");
        Check(Strategy is not (RunStrategy.Kd or RunStrategy.Progressive) || !string.IsNullOrWhiteSpace(Teacher), "--teacher", Teacher, $"given for {Strategy.ToString().ToLowerInvariant()} (a full-network run folder)");
        Check(WidthMultiplier is >= 0.1 and <= 2.0, "--width-multiplier", WidthMultiplier, "in [0.1, 2]");
        Check(Epochs is >= 1 and <= 10_000, "--epochs", Epochs, "in 1..10000");
        Check(BatchSize is >= 2 and <= 4096, "--batch-size", BatchSize, "in 2..4096");
        Check(LearningRate > 0 && float.IsFinite(LearningRate) && LearningRate <= 10, "--learning-rate", LearningRate, "in (0, 10]");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), "--weight-decay", WeightDecay, ">= 0");
        Check(WarmupEpochs >= 0 && double.IsFinite(WarmupEpochs), "--warmup-epochs", WarmupEpochs, ">= 0");
        Check(LabelSmoothing is >= 0 and < 1, "--label-smoothing", LabelSmoothing, "in [0, 1)");
        Check(Mixup >= 0 && double.IsFinite(Mixup), "--mixup", Mixup, ">= 0");
        Check(RandomSubnets is >= 0 and <= 16, "--random-subnets", RandomSubnets, "in 0..16");
        Check(StudentTarget is "teacher" or "labels+teacher", "--student-target", StudentTarget, "teacher or labels+teacher");
        Check(StudentTeacher is "frozen" or "in-place", "--student-teacher", StudentTeacher, "frozen or in-place");
        Check(KdRatio > 0 && float.IsFinite(KdRatio), "--kd-ratio", KdRatio, "a positive number");
        Check(KdTemperature > 0 && float.IsFinite(KdTemperature), "--kd-temperature", KdTemperature, "a positive number");
        Check(WarmStart != true || (Strategy is RunStrategy.Progressive or RunStrategy.Sandwich && !string.IsNullOrWhiteSpace(Teacher)), "--warm-start", WarmStart, "used only by progressive or sandwich runs with a --teacher run folder");
        Check(RecalibrationClips >= 1, "--recalibration-clips", RecalibrationClips, ">= 1");
        Check(CheckpointMinutes > 0 && double.IsFinite(CheckpointMinutes), "--checkpoint-minutes", CheckpointMinutes, "a positive number");
        Check(CheckpointEverySteps >= 0, "--checkpoint-every-steps", CheckpointEverySteps, ">= 0");
        Check(Threads is >= 0 and <= 256, "--threads", Threads, "0 (measured) or a thread count in [1, 256]");
        Data.Validate();
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Whether the supernet starts from the teacher run's weights (see <see cref="WarmStart"/>).</summary>
    [JsonIgnore]
    public bool EffectiveWarmStart => WarmStart ?? (Strategy == RunStrategy.Progressive || (Strategy == RunStrategy.Sandwich && !string.IsNullOrWhiteSpace(Teacher)));

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>An ArchSpace inside settings JSON, in ArchSpace's own JSON form.</summary>
    private sealed class ArchSpaceJsonConverter : JsonConverter<Nas.Space.ArchSpace?>
    {
        public override Nas.Space.ArchSpace? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Null ? null : Nas.Space.ArchSpace.FromJson(doc.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, Nas.Space.ArchSpace? value, JsonSerializerOptions options)
        {
            if (value is null) writer.WriteNullValue();
            else
            {
                using var doc = JsonDocument.Parse(value.ToJson());
                doc.RootElement.WriteTo(writer);
            }
        }
    }

    /// <summary>Reads settings from a JSON file (unknown fields are errors: they are usually typos).</summary>
    public static TrainingRunSettings Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingRunSettings>(File.ReadAllText(path), Json)
                ?? throw new FormatException("expected a JSON object, got null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }
}
