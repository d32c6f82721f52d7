namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// A test that needs a real CUDA GPU: skipped, with the reason (what ILGPU looked for), where there is none. xunit 2
/// has no dynamic skip, so the device is probed once when the attribute is created.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<(ComputeDevice? Device, string? Reason)> s_probe = new(() =>
    {
        try { return (ComputeDevice.Cuda(), null); }
        catch (ComputeDeviceUnavailableException e) { return (null, "needs a CUDA GPU: " + e.Message); }
    });

    public CudaFactAttribute()
    {
        if (s_probe.Value.Reason is { } reason) Skip = reason;
    }

    /// <summary>The CUDA device (only read by tests that were not skipped).</summary>
    public static ComputeDevice Device => s_probe.Value.Device ?? throw new InvalidOperationException(s_probe.Value.Reason);
}
