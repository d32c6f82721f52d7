namespace AecOfa.Engine.Nn;

/// <summary>A module with a single-input, single-output forward pass (what <see cref="Sequential"/> chains).</summary>
public interface ILayer
{
    Tensor Forward(Tensor x);
}
