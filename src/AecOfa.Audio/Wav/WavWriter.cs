using System.Buffers.Binary;

namespace AecOfa.Audio.Wav;

/// <summary>
/// Writes PCM 16-bit or IEEE float 32-bit WAV files, mono or interleaved multichannel. Files are written atomically
/// (temporary file in the same folder, then a rename over the target). PCM 16 rounds to nearest and clips to
/// [-1, 1); float 32 is stored as is. More than two channels use WAVE_FORMAT_EXTENSIBLE (as the format requires);
/// float files carry the fact chunk that non-PCM formats need.
/// </summary>
public static class WavWriter
{
    public static void Write(string path, AudioClip clip, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(clip);
        Write(path, clip.Samples, 1, clip.SampleRate, format);
    }

    /// <summary>Writes <paramref name="interleaved"/> (frame-major: c0 c1 .. c0 c1 ..) atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> interleaved, int channels, int sampleRate, WavSampleFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Validate(interleaved.Length, channels, sampleRate, format);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, interleaved, channels, sampleRate, format);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void Write(Stream stream, ReadOnlySpan<float> interleaved, int channels, int sampleRate, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Validate(interleaved.Length, channels, sampleRate, format);
        int width = format.BytesPerSample();
        long dataBytes = (long)interleaved.Length * width;
        long frames = interleaved.Length / channels;
        bool extensible = channels > 2;
        bool isFloat = format == WavSampleFormat.Float32;
        int fmtSize = extensible ? 40 : isFloat ? 18 : 16;
        int factSize = isFloat ? 12 : 0;
        long riffSize = 4 + (8 + fmtSize) + factSize + (8 + dataBytes + (dataBytes & 1));
        if (riffSize > uint.MaxValue)
        {
            throw new ArgumentException($"{interleaved.Length} samples do not fit a 4 GiB RIFF file", nameof(interleaved));
        }

        Span<byte> h = stackalloc byte[12 + 8 + 40 + 12 + 8];
        h.Clear();
        int p = 0;
        "RIFF"u8.CopyTo(h[p..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], (uint)riffSize);
        "WAVE"u8.CopyTo(h[(p + 8)..]);
        p += 12;
        "fmt "u8.CopyTo(h[p..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], (uint)fmtSize);
        p += 8;
        int tag = isFloat ? 3 : 1;
        BinaryPrimitives.WriteUInt16LittleEndian(h[p..], (ushort)(extensible ? 0xFFFE : tag));
        BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 2)..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 8)..], (uint)(sampleRate * channels * width));
        BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 12)..], (ushort)(channels * width));
        BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 14)..], (ushort)(width * 8));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 16)..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 18)..], (ushort)(width * 8));
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 20)..], 0); // no speaker positions claimed
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 24)..], (uint)tag);
            ReadOnlySpan<byte> tail = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(h[(p + 28)..]);
        }
        else if (isFloat)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[(p + 16)..], 0);
        }

        p += fmtSize;
        if (isFloat)
        {
            "fact"u8.CopyTo(h[p..]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 8)..], (uint)Math.Min(frames, uint.MaxValue));
            p += 12;
        }

        "data"u8.CopyTo(h[p..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(p + 4)..], (uint)dataBytes);
        p += 8;
        stream.Write(h[..p]);

        var buffer = new byte[Math.Min(interleaved.Length, 8192) * width];
        int perBlock = buffer.Length / width;
        for (int start = 0; start < interleaved.Length; start += perBlock)
        {
            ReadOnlySpan<float> src = interleaved.Slice(start, Math.Min(perBlock, interleaved.Length - start));
            Span<byte> dst = buffer.AsSpan(0, src.Length * width);
            if (isFloat)
            {
                for (int i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(dst[(i * 4)..], src[i]);
                }
            }
            else
            {
                for (int i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(dst[(i * 2)..], ToPcm16(src[i]));
                }
            }

            stream.Write(dst);
        }

        if ((dataBytes & 1) != 0)
        {
            stream.WriteByte(0);
        }
    }

    /// <summary>Rounds to nearest and saturates; NaN becomes 0.</summary>
    internal static short ToPcm16(float x)
    {
        if (float.IsNaN(x))
        {
            return 0;
        }

        double v = Math.Round(x * 32768.0, MidpointRounding.AwayFromZero);
        return (short)Math.Clamp(v, short.MinValue, short.MaxValue);
    }

    private static void Validate(int samples, int channels, int sampleRate, WavSampleFormat format)
    {
        if (format is not (WavSampleFormat.Pcm16 or WavSampleFormat.Float32))
        {
            throw new ArgumentException($"WavWriter writes Pcm16 or Float32, not {format}", nameof(format));
        }

        if (channels is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channel count must be 1..65535");
        }

        if (sampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        }

        if (samples % channels != 0)
        {
            throw new ArgumentException(
                $"{samples} interleaved samples is not a whole number of {channels}-channel frames", nameof(samples));
        }
    }
}
