using AecOfa.Engine.Nn;

namespace AecOfa.Engine.Optim;

/// <summary>
/// Base of optimizers over a named parameter list. <see cref="Step"/> updates every parameter that has a
/// gradient using the current <see cref="LearningRate"/> (the trainer sets it from a schedule each step);
/// parameters without a gradient are skipped and their state is untouched (PyTorch semantics).
/// State is exported and imported by parameter name for exact resume.
/// </summary>
public abstract class Optimizer
{
    private readonly List<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _parameterSteps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, float[]>> _buffers = new(StringComparer.Ordinal);
    // State of parameters that live on an accelerator: kept there (host state of such a parameter moves over on its next step).
    private readonly Dictionary<string, Dictionary<string, Tensor>> _deviceBuffers = new(StringComparer.Ordinal);
    private float _learningRate;

    protected Optimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, float learningRate, float weightDecay, bool excludeNoWeightDecayParameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToList();
        if (_parameters.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter.", nameof(parameters));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Count; i++)
        {
            var (name, p) = _parameters[i];
            ArgumentNullException.ThrowIfNull(p, $"parameters[{i}] ('{name}')");
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"Parameter {i} has an empty name.", nameof(parameters));
            if (!_indexByName.TryAdd(name, i)) throw new ArgumentException($"Duplicate parameter name '{name}'.", nameof(parameters));
            if (!seen.Add(p)) throw new ArgumentException($"Parameter '{name}' is listed twice (under another name too): it would be updated twice per step.", nameof(parameters));
        }
        if (!(weightDecay >= 0f) || float.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weightDecay = {weightDecay} must be finite and >= 0.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        ExcludeNoWeightDecayParameters = excludeNoWeightDecayParameters;
    }

    /// <summary>Learning rate used by the next <see cref="Step"/>.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"Learning rate {value} must be finite and >= 0.");
            _learningRate = value;
        }
    }

    public float WeightDecay { get; }

    /// <summary>When true, parameters marked <see cref="Parameter.NoWeightDecay"/> (BN, biases) get no weight decay.</summary>
    public bool ExcludeNoWeightDecayParameters { get; }

    /// <summary>Completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>Type name stored with exported state; import refuses another type.</summary>
    protected abstract string OptimizerType { get; }

    /// <summary>Sets every parameter's gradient to null.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.ZeroGrad();
    }

    /// <summary>One update of every parameter that has a gradient, with the current learning rate.</summary>
    public void Step()
    {
        foreach (var (name, p) in _parameters)
        {
            if (p.Grad is null) continue;
            if (p.Grad.Numel != p.Numel)
                throw new InvalidOperationException($"Parameter '{name}' of shape {ShapeUtil.Format(p.Shape)} has a gradient of shape {ShapeUtil.Format(p.Grad.Shape)}.");
            long step = _parameterSteps.GetValueOrDefault(name) + 1;
            _parameterSteps[name] = step;
            float decay = ExcludeNoWeightDecayParameters && p.NoWeightDecay ? 0f : WeightDecay;
            if (!p.IsOnCpu)
            {
                Tensor.CommonDevice($"{OptimizerType} step of '{name}' (parameter and gradient)", p, p.Grad);
                UpdateParameterOnDevice(p, p.Grad, DeviceBuffersOf(name, p), step, LearningRate, decay);
                continue;
            }
            if (!_buffers.TryGetValue(name, out var buffers))
            {
                buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
                _buffers[name] = buffers;
            }
            UpdateParameter(p.Span, p.Grad.Span, buffers, step, LearningRate, decay);
        }
        StepCount++;
    }

    /// <summary>
    /// Updates one parameter in place. <paramref name="buffers"/> is this parameter's state (empty on its
    /// first update); <paramref name="step"/> counts this parameter's updates including this one.
    /// </summary>
    protected abstract void UpdateParameter(Span<float> parameter, ReadOnlySpan<float> gradient, Dictionary<string, float[]> buffers, long step, float learningRate, float weightDecay);

    /// <summary>
    /// Updates one parameter that lives on an accelerator, in place, with its state buffers on the same device
    /// (<paramref name="buffers"/> by name, empty on its first update; create them with <see cref="Tensor.Zeros(ComputeDevice, int[])"/>).
    /// </summary>
    protected virtual void UpdateParameterOnDevice(Tensor parameter, Tensor gradient, Dictionary<string, Tensor> buffers, long step, float learningRate, float weightDecay)
        => throw new NotSupportedException($"{OptimizerType} has no device update: parameter {parameter} lives on {parameter.Device}.");

    /// <summary>The device state of a parameter, uploading its host state once (imported, or from steps on the host).</summary>
    private Dictionary<string, Tensor> DeviceBuffersOf(string name, Parameter p)
    {
        if (_deviceBuffers.TryGetValue(name, out var onDevice)) return onDevice;
        onDevice = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (_buffers.Remove(name, out var host))
            foreach (var (bufferName, data) in host)
            {
                var t = Tensor.Zeros(p.Device, p.Shape);
                t.CopyFrom(data);
                onDevice[bufferName] = t;
            }
        _deviceBuffers[name] = onDevice;
        return onDevice;
    }

    /// <summary>
    /// Copies every parameter's state that lives on an accelerator to the host (where <see cref="StateBuffers"/> can edit
    /// it); it goes back to the parameter's device on its next update.
    /// </summary>
    public void MoveStateToHost()
    {
        foreach (var (name, onDevice) in _deviceBuffers)
        {
            var host = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var (bufferName, t) in onDevice) host[bufferName] = t.ToArray();
            _buffers[name] = host;
        }
        _deviceBuffers.Clear();
    }

    /// <summary>Buffer names this optimizer keeps per parameter (import checks them).</summary>
    protected abstract IReadOnlyList<string> BufferNames { get; }

    /// <summary>Forgets every parameter's state and the step count, as a freshly built optimizer (OFA starts each
    /// progressive-shrinking phase with a new optimizer).</summary>
    public void ResetState()
    {
        _parameterSteps.Clear();
        _buffers.Clear();
        _deviceBuffers.Clear();
        StepCount = 0;
    }

    /// <summary>
    /// The live state buffers (e.g. momentum) of <paramref name="parameter"/>, each laid out like the parameter; empty
    /// before its first update. For transformations that must move the state with the weights, such as a channel
    /// permutation; writing into them changes the next update.
    /// </summary>
    public IReadOnlyList<float[]> StateBuffers(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        foreach (var (name, p) in _parameters)
            if (ReferenceEquals(p, parameter) && _deviceBuffers.ContainsKey(name))
                throw new DeviceMismatchException($"StateBuffers: the state of '{name}' lives on {p.Device}; host code cannot edit it in place (move the model to the host first).");
            else if (ReferenceEquals(p, parameter))
                return _buffers.TryGetValue(name, out var b) ? b.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList() : [];
        throw new ArgumentException("The parameter is not managed by this optimizer.", nameof(parameter));
    }

    /// <summary>A deep copy of the state, by parameter name.</summary>
    public OptimizerState ExportState()
    {
        var parameters = new Dictionary<string, ParameterOptimizerState>(StringComparer.Ordinal);
        foreach (var (name, _) in _parameters)
        {
            if (!_parameterSteps.TryGetValue(name, out long step)) continue;
            var copy = new Dictionary<string, float[]>(StringComparer.Ordinal);
            if (_deviceBuffers.TryGetValue(name, out var onDevice))
                foreach (var (bufferName, t) in onDevice) copy[bufferName] = t.ToArray(); // a device state is copied to the host here
            else
                foreach (var (bufferName, data) in _buffers[name]) copy[bufferName] = (float[])data.Clone();
            parameters[name] = new ParameterOptimizerState(step, copy);
        }
        return new OptimizerState(OptimizerType, StepCount, parameters);
    }

    /// <summary>
    /// Replaces the state with <paramref name="state"/> (deep copy). Validates everything first: the
    /// optimizer type, that every name is one of this optimizer's parameters, the buffer names and lengths.
    /// </summary>
    public void ImportState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerType != OptimizerType)
            throw new ArgumentException($"Optimizer state of type '{state.OptimizerType}' cannot be imported into a '{OptimizerType}' optimizer.", nameof(state));
        if (state.StepCount < 0) throw new ArgumentException($"Optimizer state has a negative step count {state.StepCount}.", nameof(state));
        var problems = new List<string>();
        foreach (var (name, ps) in state.Parameters)
        {
            if (!_indexByName.TryGetValue(name, out int index)) { problems.Add($"unknown parameter '{name}'"); continue; }
            if (ps.Step < 1) problems.Add($"parameter '{name}': step {ps.Step} must be >= 1");
            int numel = _parameters[index].Parameter.Numel;
            foreach (var b in BufferNames)
            {
                if (!ps.Buffers.TryGetValue(b, out var data)) problems.Add($"parameter '{name}': missing buffer '{b}'");
                else if (data.Length != numel) problems.Add($"parameter '{name}': buffer '{b}' has {data.Length} values, the parameter has {numel}");
            }
            foreach (var b in ps.Buffers.Keys)
                if (!BufferNames.Contains(b)) problems.Add($"parameter '{name}': unexpected buffer '{b}'");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"Optimizer state does not fit this {OptimizerType} optimizer: {string.Join("; ", problems)}.", nameof(state));

        _parameterSteps.Clear();
        _buffers.Clear();
        _deviceBuffers.Clear();
        foreach (var (name, ps) in state.Parameters)
        {
            _parameterSteps[name] = ps.Step;
            var copy = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var (bufferName, data) in ps.Buffers) copy[bufferName] = (float[])data.Clone();
            _buffers[name] = copy;
        }
        StepCount = state.StepCount;
    }
}
