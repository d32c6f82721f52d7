namespace AecOfa.Engine;

/// <summary>
/// One recorded operation: its inputs and a backward function that reads the output's gradient and
/// adds into the inputs' gradients. Saved tensors live in the closure and are dropped on release.
/// </summary>
public sealed class GradNode
{
    private Action<Tensor>? _backward;

    internal GradNode(string opName, Tensor[] inputs, Action<Tensor> backward)
    {
        OpName = opName;
        Inputs = inputs;
        _backward = backward;
    }

    public string OpName { get; }

    internal Tensor[] Inputs { get; private set; }

    public bool IsReleased => _backward is null;

    /// <summary>Runs the backward function with the output tensor whose <see cref="Tensor.Grad"/> is set.</summary>
    internal void Run(Tensor output)
    {
        var fn = _backward ?? throw new InvalidOperationException(
            $"Backward through '{OpName}' a second time: its graph was freed by the first Backward(). " +
            "Run the forward pass again, or call Backward(retainGraph: true) the first time.");
        fn(output);
    }

    internal void Release()
    {
        _backward = null;
        Inputs = Array.Empty<Tensor>();
    }
}
