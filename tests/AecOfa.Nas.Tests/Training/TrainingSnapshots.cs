using AecOfa.Engine.Nn;

namespace AecOfa.Nas.Tests.Training;

/// <summary>Bitwise copies of a module's parameters and buffers, for "nothing changed" and "identical runs" checks.</summary>
internal static class TrainingSnapshots
{
    /// <summary>Every tensor of the state dict (parameters and buffers) by name, copied.</summary>
    public static Dictionary<string, float[]> State(Module module) =>
        module.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray(), StringComparer.Ordinal);

    /// <summary>Asserts bit-identical state dicts (float equality would let -0 == 0 and fail on NaN; compare bits).</summary>
    public static void AssertBitwiseEqual(IReadOnlyDictionary<string, float[]> expected, IReadOnlyDictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, values) in expected)
        {
            var other = actual[name];
            Assert.Equal(values.Length, other.Length);
            for (int i = 0; i < values.Length; i++)
                if (BitConverter.SingleToInt32Bits(values[i]) != BitConverter.SingleToInt32Bits(other[i]))
                    Assert.Fail($"{name}[{i}]: {values[i]:R} vs {other[i]:R} (first of the differing values)");
        }
    }

    /// <summary>Names of the tensors whose values differ anywhere.</summary>
    public static List<string> Changed(IReadOnlyDictionary<string, float[]> before, IReadOnlyDictionary<string, float[]> after) =>
        before.Where(kv => !kv.Value.AsSpan().SequenceEqual(after[kv.Key])).Select(kv => kv.Key).ToList();
}
