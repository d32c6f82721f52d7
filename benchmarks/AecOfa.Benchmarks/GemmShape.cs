using System.Globalization;

namespace AecOfa.Benchmarks;

/// <summary>One SGEMM problem of the benchmarks: C[m x n] = op(A) op(B) with depth k, and a short label.</summary>
public sealed record GemmShape(string Label, int M, int N, int K, bool TransB = false)
{
    public double Flops => 2.0 * M * N * K;

    // BenchmarkDotNet prints parameters with ToString.
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Label} {M}x{N}x{K}{(TransB ? " Bt" : "")}");
}
