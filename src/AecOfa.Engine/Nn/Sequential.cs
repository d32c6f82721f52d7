namespace AecOfa.Engine.Nn;

/// <summary>Layers applied in order; children are named "0", "1", ... (PyTorch's naming).</summary>
public sealed class Sequential : Module, ILayer
{
    private readonly ILayer[] _layers;

    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = new ILayer[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            var m = layers[i] ?? throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null.");
            _layers[i] = m as ILayer ?? throw new ArgumentException($"Sequential: layer {i} ({m.GetType().Name}) does not implement ILayer.", nameof(layers));
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        }
    }

    public int Count => _layers.Length;

    public ILayer this[int index] => _layers[index];

    public Tensor Forward(Tensor x)
    {
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
