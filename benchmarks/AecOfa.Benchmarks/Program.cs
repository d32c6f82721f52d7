using BenchmarkDotNet.Running;

namespace AecOfa.Benchmarks;

public static class Program
{
    // Pick benchmarks with --filter, e.g. dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*Gemm*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
