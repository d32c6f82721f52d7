namespace AecOfa.Engine;

/// <summary>The requested compute device does not exist on this machine (no CUDA driver, no CUDA device, ...).</summary>
public sealed class ComputeDeviceUnavailableException : Exception
{
    public ComputeDeviceUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
