namespace AecOfa.Engine.Nn;

/// <summary>
/// Base of layers and networks: named parameters, named buffers (non-trainable state such as BN running
/// statistics) and named children, plus train/eval mode. Names are dotted paths ("stage1.block0.dw.weight").
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter P)> _parameters = new();
    private readonly List<(string Name, Tensor B)> _buffers = new();
    private readonly List<(string Name, Module M)> _children = new();

    public bool IsTraining { get; private set; } = true;

    protected Parameter RegisterParameter(string name, Parameter p)
    {
        CheckName(name);
        _parameters.Add((name, p));
        return p;
    }

    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        _buffers.Add((name, buffer));
        return buffer;
    }

    protected TModule RegisterModule<TModule>(string name, TModule m) where TModule : Module
    {
        CheckName(name);
        _children.Add((name, m));
        return m;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Invalid member name '{name}': names are non-empty and contain no '.'.");
        if (_parameters.Exists(p => p.Name == name) || _buffers.Exists(b => b.Name == name) || _children.Exists(c => c.Name == name))
            throw new ArgumentException($"Duplicate member name '{name}' in {GetType().Name}.");
    }

    /// <summary>All parameters of this module and its children, in registration order, with dotted names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return (prefix + n, p);
        foreach (var (n, m) in _children)
            foreach (var x in m.NamedParameters(prefix + n + ".")) yield return x;
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>All buffers (non-trainable state), with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return (prefix + n, b);
        foreach (var (n, m) in _children)
            foreach (var x in m.NamedBuffers(prefix + n + ".")) yield return x;
    }

    /// <summary>Parameters and buffers together: what a checkpoint stores.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateDict()
    {
        foreach (var (n, p) in NamedParameters()) yield return (n, p);
        foreach (var (n, b) in NamedBuffers()) yield return (n, b);
    }

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    public void Train() => SetTraining(true);

    public void Eval() => SetTraining(false);

    private void SetTraining(bool training)
    {
        IsTraining = training;
        foreach (var (_, m) in _children) m.SetTraining(training);
    }

    /// <summary>The device of this module's first parameter or buffer (after <see cref="ToDevice"/>, of all of them); the host when it has none.</summary>
    public ComputeDevice Device => StateDict().Select(x => x.Tensor.Device).FirstOrDefault() ?? ComputeDevice.Cpu;

    /// <summary>
    /// Moves every parameter and buffer (BN running statistics) to <paramref name="device"/> in place, so the module's
    /// forward runs there; optimizers built over these parameters keep working (their state follows on the next step).
    /// </summary>
    public void ToDevice(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var (_, t) in StateDict()) t.MoveTo(device);
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);
}
