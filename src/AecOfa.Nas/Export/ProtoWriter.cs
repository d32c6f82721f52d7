using System.Buffers.Binary;
using System.Text;

namespace AecOfa.Nas.Export;

/// <summary>
/// The few protocol-buffer wire-format primitives an ONNX file needs: varints (wire type 0), 32-bit floats
/// (wire type 5) and length-delimited fields (wire type 2: strings, bytes, embedded messages). Embedded messages
/// are written into their own <see cref="ProtoWriter"/> and then copied in with their length prefix.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public long Length => _buffer.Length;

    public byte[] ToArray() => _buffer.ToArray();

    public void WriteTo(Stream stream) => _buffer.WriteTo(stream);

    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Tag(field, 2);
        Varint((ulong)message._buffer.Length);
        message._buffer.WriteTo(_buffer);
        return this;
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
