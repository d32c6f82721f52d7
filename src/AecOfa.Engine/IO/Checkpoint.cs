using System.Globalization;
using System.Text.Json;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.IO;

/// <summary>
/// Saves and loads training state in ONE safetensors file: the module's state dict under its own names
/// (so other tools read the weights directly), the optimizer's per-parameter buffers as
/// "optimizer/{buffer}/{parameter}", and the step, optimizer step counts and caller metadata in
/// __metadata__. Loading is all-or-nothing: every name and shape is checked before anything is copied.
/// </summary>
public static class Checkpoint
{
    public const string FormatKey = "aecofa.format";
    public const string FormatValue = "aecofa-checkpoint-1";
    public const string StepKey = "aecofa.step";
    public const string OptimizerKey = "aecofa.optimizer";
    public const string OptimizerTensorPrefix = "optimizer/";

    /// <summary>Metadata keys starting with this are the checkpoint's own and refused from callers.</summary>
    public const string ReservedMetadataPrefix = "aecofa.";

    public static void Save(string path, Module model, Optimizer? optimizer = null, long step = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, t) in model.StateDict())
        {
            if (name.StartsWith(OptimizerTensorPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Model tensor '{name}' collides with the optimizer-state prefix '{OptimizerTensorPrefix}'.", nameof(model));
            tensors.Add((name, t.ToCpu())); // a device tensor is copied to the host here, inside the save
        }

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                if (k.StartsWith(ReservedMetadataPrefix, StringComparison.Ordinal))
                    throw new ArgumentException($"Metadata key '{k}' uses the reserved prefix '{ReservedMetadataPrefix}'.", nameof(metadata));
                meta[k] = v ?? throw new ArgumentException($"Metadata '{k}' is null.", nameof(metadata));
            }
        }
        meta[FormatKey] = FormatValue;
        meta[StepKey] = step.ToString(CultureInfo.InvariantCulture);

        if (optimizer is not null)
        {
            var state = optimizer.ExportState();
            meta[OptimizerKey] = SerializeOptimizerHeader(state);
            foreach (var (paramName, ps) in state.Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var shape = ParameterShape(optimizer, paramName);
                foreach (var (bufferName, data) in ps.Buffers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    tensors.Add(($"{OptimizerTensorPrefix}{bufferName}/{paramName}", new Tensor(data, shape)));
            }
        }
        SafetensorsFile.Write(path, tensors, meta);
    }

    /// <summary>
    /// Loads the file into <paramref name="model"/> (and <paramref name="optimizer"/> when given: the file
    /// must then hold optimizer state of the same type). Throws <see cref="CheckpointException"/> listing every
    /// missing, unexpected or mismatched tensor; on any error nothing is modified.
    /// </summary>
    public static CheckpointInfo Load(string path, Module model, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var content = SafetensorsFile.Read(path);
        if (content.Metadata.TryGetValue(FormatKey, out var format) && format != FormatValue)
            throw new CheckpointException(path, $"has format '{format}', this version reads '{FormatValue}'.");

        // 1. Model tensors: names and shapes, all problems at once.
        var fileModel = content.Tensors.Where(x => !x.Name.StartsWith(OptimizerTensorPrefix, StringComparison.Ordinal))
            .ToDictionary(x => x.Name, x => x.Tensor, StringComparer.Ordinal);
        var state = model.StateDict().ToList();
        var modelNames = new HashSet<string>(state.Select(s => s.Name), StringComparer.Ordinal);
        var missing = state.Where(s => !fileModel.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        var unexpected = fileModel.Keys.Where(n => !modelNames.Contains(n)).ToList();
        var mismatched = new List<string>();
        foreach (var (name, t) in state)
        {
            if (fileModel.TryGetValue(name, out var f) && !ShapeUtil.SameShape(f.Shape, t.Shape))
                mismatched.Add($"{name}: file {ShapeUtil.Format(f.Shape)} vs model {ShapeUtil.Format(t.Shape)}");
        }
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing in the file: {string.Join(", ", missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected (not in the model): {string.Join(", ", unexpected)}");
            if (mismatched.Count > 0) parts.Add($"shape mismatch: {string.Join("; ", mismatched)}");
            throw new CheckpointException(path, $"does not fit the model ({string.Join(" | ", parts)}).", missing, unexpected, mismatched);
        }

        long step = 0;
        if (content.Metadata.TryGetValue(StepKey, out var stepText) &&
            (!long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 0))
            throw new CheckpointException(path, $"metadata '{StepKey}' = '{stepText}' is not a non-negative integer.");
        bool hasOptimizer = content.Metadata.ContainsKey(OptimizerKey);

        // 2. Optimizer state: ImportState validates completely before it changes anything.
        if (optimizer is not null)
        {
            if (!hasOptimizer)
                throw new CheckpointException(path, "holds no optimizer state, but an optimizer was given to restore (load without the optimizer to take only the weights).");
            var optimizerState = ReadOptimizerState(path, content);
            try
            {
                optimizer.ImportState(optimizerState);
            }
            catch (ArgumentException ex)
            {
                throw new CheckpointException(path, ex.Message, inner: ex);
            }
        }

        // 3. Copy the weights: cannot fail any more.
        foreach (var (name, t) in state) t.CopyFrom(fileModel[name].Span);

        var userMeta = content.Metadata.Where(kv => !kv.Key.StartsWith(ReservedMetadataPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new CheckpointInfo(step, userMeta, hasOptimizer);
    }

    private static int[] ParameterShape(Optimizer optimizer, string name)
    {
        foreach (var (n, p) in optimizer.Parameters)
            if (n == name) return p.Shape;
        throw new InvalidOperationException($"Optimizer state names unknown parameter '{name}'.");
    }

    private static string SerializeOptimizerHeader(OptimizerState state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("type", state.OptimizerType);
            w.WriteNumber("step_count", state.StepCount);
            w.WriteStartObject("parameter_steps");
            foreach (var (name, ps) in state.Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(name, ps.Step);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    private static OptimizerState ReadOptimizerState(string path, SafetensorsContent content)
    {
        string type;
        long stepCount;
        var parameterSteps = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(content.Metadata[OptimizerKey]);
            var root = doc.RootElement;
            type = root.GetProperty("type").GetString() ?? throw new FormatException("\"type\" is null");
            stepCount = root.GetProperty("step_count").GetInt64();
            foreach (var p in root.GetProperty("parameter_steps").EnumerateObject()) parameterSteps[p.Name] = p.Value.GetInt64();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CheckpointException(path, $"metadata '{OptimizerKey}' is not valid optimizer state JSON: {ex.Message}", inner: ex);
        }

        var buffers = new Dictionary<string, Dictionary<string, float[]>>(StringComparer.Ordinal);
        foreach (var (name, t) in content.Tensors)
        {
            if (!name.StartsWith(OptimizerTensorPrefix, StringComparison.Ordinal)) continue;
            string rest = name[OptimizerTensorPrefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == rest.Length - 1)
                throw new CheckpointException(path, $"optimizer tensor '{name}' is not named '{OptimizerTensorPrefix}{{buffer}}/{{parameter}}'.");
            string buffer = rest[..slash], param = rest[(slash + 1)..];
            if (!parameterSteps.ContainsKey(param))
                throw new CheckpointException(path, $"optimizer tensor '{name}' belongs to parameter '{param}', which has no step count in '{OptimizerKey}'.");
            if (!buffers.TryGetValue(param, out var b)) buffers[param] = b = new Dictionary<string, float[]>(StringComparer.Ordinal);
            b[buffer] = t.Data;
        }
        var parameters = parameterSteps.ToDictionary(
            kv => kv.Key,
            kv => new ParameterOptimizerState(kv.Value, buffers.TryGetValue(kv.Key, out var b) ? b : new Dictionary<string, float[]>(StringComparer.Ordinal)),
            StringComparer.Ordinal);
        return new OptimizerState(type, stepCount, parameters);
    }
}
