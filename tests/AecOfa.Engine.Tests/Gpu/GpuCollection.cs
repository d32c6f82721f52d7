namespace AecOfa.Engine.Tests.Gpu;

/// <summary>The device tests run one at a time: they share one ILGPU CPU accelerator, which runs one kernel at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GpuCollection
{
    public const string Name = "ILGPU CPU accelerator";
}
