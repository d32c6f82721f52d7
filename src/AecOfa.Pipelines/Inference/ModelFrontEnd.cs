using System.Globalization;
using System.Text.Json;
using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;
using AecOfa.Nas.Space;

namespace AecOfa.Pipelines.Inference;

/// <summary>
/// The front end a model was trained with, read back from the front-end map of its file
/// (<see cref="AecOfa.Nas.Static.StaticNetworkPackage.FrontEnd"/>): "logmel" (<see cref="LogMelOptions.ConfigKey"/>, parsed back
/// into <see cref="LogMelOptions"/>), "clip_seconds" (training clip length), "normalization"
/// (<see cref="FeatureNormalizer"/> JSON) and, when present, "classes" (a JSON array of class names in output order).
/// </summary>
public sealed record ModelFrontEnd(LogMelOptions LogMel, double ClipSeconds, FeatureNormalizer? Normalizer, IReadOnlyList<string>? ClassNames)
{
    public const string LogMelKey = "logmel";
    public const string ClipSecondsKey = "clip_seconds";
    public const string NormalizationKey = "normalization";
    public const string ClassesKey = "classes";

    /// <summary>Reads the map; a missing "logmel" falls back to the default options at the space's mel-bin count, a
    /// missing "clip_seconds" to the length that gives the space's frame count (both recorded in <see cref="Notes"/>).</summary>
    public static ModelFrontEnd FromMetadata(IReadOnlyDictionary<string, string> frontEnd, ArchSpace space)
    {
        ArgumentNullException.ThrowIfNull(frontEnd);
        ArgumentNullException.ThrowIfNull(space);
        var notes = new List<string>();
        LogMelOptions logMel;
        if (frontEnd.TryGetValue(LogMelKey, out var key)) logMel = ParseLogMelKey(key);
        else
        {
            logMel = new LogMelOptions { MelBins = space.Input.MelBins };
            notes.Add($"no '{LogMelKey}' in the model's metadata: default log-mel options with {space.Input.MelBins} mel bins assumed");
        }
        if (logMel.MelBins != space.Input.MelBins)
            throw new FormatException($"front end '{LogMelKey}' has {logMel.MelBins} mel bins, the network takes {space.Input.MelBins}");
        double clip;
        if (frontEnd.TryGetValue(ClipSecondsKey, out var c))
        {
            if (!double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out clip) || !(clip > 0) || !double.IsFinite(clip))
                throw new FormatException($"front end '{ClipSecondsKey}' = '{c}' is not a positive number of seconds");
        }
        else
        {
            clip = (double)(space.Input.Frames - 1) * logMel.HopLength / logMel.SampleRate;
            notes.Add($"no '{ClipSecondsKey}' in the model's metadata: {clip.ToString("0.###", CultureInfo.InvariantCulture)} s assumed ({space.Input.Frames} frames)");
        }
        FeatureNormalizer? normalizer = null;
        if (frontEnd.TryGetValue(NormalizationKey, out var n))
        {
            normalizer = FeatureNormalizer.FromJson(n, $"front end '{NormalizationKey}'");
            if (normalizer.Bins != logMel.MelBins)
                throw new FormatException($"front end '{NormalizationKey}' has {normalizer.Bins} bins, the log-mel {logMel.MelBins}");
        }
        else notes.Add($"no '{NormalizationKey}' in the model's metadata: features are not normalized");
        IReadOnlyList<string>? classes = null;
        if (frontEnd.TryGetValue(ClassesKey, out var cl))
        {
            classes = ParseClassNames(cl);
            if (classes.Count != space.Classes)
                throw new FormatException($"front end '{ClassesKey}' names {classes.Count} classes, the network has {space.Classes} outputs");
        }
        else notes.Add($"no '{ClassesKey}' in the model's metadata: classes are shown by index");
        return new ModelFrontEnd(logMel, clip, normalizer, classes) { Notes = notes };
    }

    /// <summary>What <see cref="FromMetadata"/> had to assume.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Samples per analysis window (the training clip length).</summary>
    public int ClipSamples => checked((int)Math.Round(ClipSeconds * LogMel.SampleRate));

    /// <summary>The class-name JSON stored under <see cref="ClassesKey"/>.</summary>
    public static string ClassNamesJson(IEnumerable<string> names) => JsonSerializer.Serialize(names.ToArray());

    public static IReadOnlyList<string> ParseClassNames(string json)
    {
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"front end '{ClassesKey}': not a JSON array of strings ({e.Message})", e);
        }
        if (names is null || names.Any(string.IsNullOrEmpty)) throw new FormatException($"front end '{ClassesKey}': a class name is empty");
        return names;
    }

    /// <summary>Parses <see cref="LogMelOptions.ConfigKey"/> back into options; throws <see cref="FormatException"/>
    /// unless the options print the very same key (so nothing is silently lost).</summary>
    public static LogMelOptions ParseLogMelKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split(';');
        if (parts.Length == 0 || parts[0] != "logmel-v1") throw new FormatException($"log-mel key '{key}': not a 'logmel-v1;...' key");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parts.Skip(1))
        {
            int eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"log-mel key '{key}': '{p}' is not name=value");
            map[p[..eq]] = p[(eq + 1)..];
        }
        string Get(string name) => map.TryGetValue(name, out var v) ? v : throw new FormatException($"log-mel key '{key}': '{name}' is missing");
        int Int(string name) => int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new FormatException($"log-mel key '{key}': '{name}' is not an integer");
        double Dbl(string text, string name) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new FormatException($"log-mel key '{key}': '{name}' is not a number");
        string log = Get("log");
        LogCompression compression;
        string floor;
        if (log.StartsWith("ln(x+", StringComparison.Ordinal) && log.EndsWith(')')) { compression = LogCompression.NaturalLogOffset; floor = log[5..^1]; }
        else if (log.StartsWith("10log10(max(x,", StringComparison.Ordinal) && log.EndsWith("))", StringComparison.Ordinal)) { compression = LogCompression.DecibelsClamped; floor = log[14..^2]; }
        else throw new FormatException($"log-mel key '{key}': unknown log '{log}'");
        var options = new LogMelOptions
        {
            SampleRate = Int("sr"),
            FftSize = Int("nfft"),
            WindowLength = Int("win"),
            HopLength = Int("hop"),
            Padding = Get("pad") switch
            {
                "center-reflect" => StftPadding.CenterReflect,
                "center-zero" => StftPadding.CenterZero,
                "none" => StftPadding.None,
                var other => throw new FormatException($"log-mel key '{key}': unknown padding '{other}'"),
            },
            MelBins = Int("mels"),
            FMin = Dbl(Get("fmin"), "fmin"),
            FMax = Dbl(Get("fmax"), "fmax"),
            MelScale = Enum.TryParse<MelScale>(Get("scale"), ignoreCase: true, out var scale) ? scale : throw new FormatException($"log-mel key '{key}': unknown scale"),
            MelNormalization = Enum.TryParse<MelNormalization>(Get("norm"), ignoreCase: true, out var norm) ? norm : throw new FormatException($"log-mel key '{key}': unknown norm"),
            Log = compression,
            LogFloor = Dbl(floor, "log floor"),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"log-mel key '{key}': {e.Message}", e);
        }
        if (options.ConfigKey != key)
            throw new FormatException($"log-mel key '{key}': this version of AecOfa reads it as '{options.ConfigKey}' (an unknown parameter?)");
        return options;
    }
}
