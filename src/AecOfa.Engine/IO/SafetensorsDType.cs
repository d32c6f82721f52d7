using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AecOfa.Engine.IO;

/// <summary>The element types this reader converts to float32 (all little-endian on disk).</summary>
internal static class SafetensorsDType
{
    public static bool TryGetSize(string dtype, out int size)
    {
        size = dtype switch { "F32" => 4, "F64" => 8, "F16" => 2, "BF16" => 2, _ => 0 };
        return size != 0;
    }

    /// <summary>Converts <paramref name="src"/> (elements of <paramref name="dtype"/>) into float32.</summary>
    public static void ToFloat(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case "F32" when BitConverter.IsLittleEndian:
                src.CopyTo(MemoryMarshal.AsBytes(dst));
                break;
            case "F32":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(4 * i, 4));
                break;
            case "F64":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src.Slice(8 * i, 8));
                break;
            case "F16":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(2 * i, 2));
                break;
            case "BF16":
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2 * i, 2)) << 16);
                break;
            default:
                throw new ArgumentException($"Unsupported dtype '{dtype}'.", nameof(dtype));
        }
    }
}
