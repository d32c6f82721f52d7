namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Marks a method as an ILGPU kernel entry point, so tests can compile every kernel for CUDA (PTX) without a GPU.
/// Implicitly grouped kernels take an index first; explicitly grouped ones use Grid/Group and shared memory.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class GpuKernelAttribute : Attribute
{
    public GpuKernelAttribute(bool explicitlyGrouped = false) => ExplicitlyGrouped = explicitlyGrouped;

    public bool ExplicitlyGrouped { get; }
}
