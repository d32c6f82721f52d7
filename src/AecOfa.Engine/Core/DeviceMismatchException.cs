namespace AecOfa.Engine;

/// <summary>
/// An op got tensors on different devices, or a host-only op got a device tensor. Nothing is copied implicitly: the
/// message names the op and the devices, and the caller moves data with <see cref="Tensor.ToDevice"/>.
/// </summary>
public sealed class DeviceMismatchException : InvalidOperationException
{
    public DeviceMismatchException(string message) : base(message) { }
}
