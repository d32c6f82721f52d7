using System.Reflection;
using AecOfa.Engine.Kernels.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// Every device kernel compiles to PTX for Hopper (an sm_90 backend, PTX ISA 8.8) through ILGPU's PTX backend, which needs no GPU
/// and no driver: a kernel that would fail to compile for CUDA fails here, in CI.
/// </summary>
public class PtxCompileTests
{
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var m in KernelMethods()) data.Add(m.DeclaringType!.Name + "." + m.Name);
        return data;
    }

    private static IEnumerable<MethodInfo> KernelMethods() => typeof(GpuContext).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(m => m.GetCustomAttribute<GpuKernelAttribute>() is not null)
        .OrderBy(m => m.DeclaringType!.Name + "." + m.Name, StringComparer.Ordinal);

    [Fact]
    public void TheKernelFolderHasKernels() => Assert.True(KernelMethods().Count() >= 10, $"found {KernelMethods().Count()} kernels");

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesForSm90(string kernel)
    {
        var method = KernelMethods().Single(m => m.DeclaringType!.Name + "." + m.Name == kernel);
        bool grouped = method.GetCustomAttribute<GpuKernelAttribute>()!.ExplicitlyGrouped;
        using var context = Context.Create(b => b.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, nvvmAPI: null);
        var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = backend.Compile(entry, new KernelSpecialization());
        var ptx = Assert.IsType<PTXCompiledKernel>(compiled);
        // ILGPU 1.5.3 writes ".target sm_80" for an SM_90 backend (its highest code-generation target); the driver
        // JIT-compiles that PTX for Hopper. The ISA version is the one asked for.
        Assert.Contains(".version 8.8", ptx.PTXAssembly);
        Assert.Contains(".target sm_", ptx.PTXAssembly);
        Assert.Contains(".entry", ptx.PTXAssembly);
    }
}
