using System.Buffers.Binary;
using System.Text;

namespace AecOfa.Audio.Wav;

/// <summary>
/// Decodes RIFF/WAVE (and RF64) files into a mono <see cref="AudioClip"/>: PCM 8-bit unsigned, 16/24/32-bit signed,
/// IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE; any channel count (averaged to mono), any sample rate.
/// Unknown chunks (LIST, fact, cue, ...) are skipped, odd-sized chunks are padded, chunks after the data chunk are
/// ignored and the RIFF size field is not trusted (often wrong). Data size 0xFFFFFFFF means "to the end of the file"
/// (streamed writers); any other data chunk that is shorter than its header is an error unless
/// <see cref="WavReadOptions.AllowTruncatedData"/> is set (see <see cref="WavReadOptions"/>).
/// Every problem raises <see cref="AudioFormatException"/> naming the file. Stateless and thread-safe.
/// </summary>
public static class WavReader
{
    private const uint StreamedSize = 0xFFFFFFFF;
    private const int BlockFrames = 4096;
    private const int MaxFmtBytes = 1 << 16;

    public static AudioClip Read(string path) => ReadWithInfo(path, WavReadOptions.Strict).Clip;

    public static AudioClip Read(Stream stream, string nameForErrors) =>
        ReadWithInfo(stream, nameForErrors, WavReadOptions.Strict).Clip;

    public static WavReadResult ReadWithInfo(string path, WavReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadWithInfo(stream, path, options);
    }

    /// <summary>
    /// Reads only the header up to the data chunk: format, channels, rate and the frame count the data chunk declares
    /// (for a seekable source, capped by what the file holds; <see cref="WavInfo.DataTruncated"/> says if it was).
    /// Samples are not decoded. Same validation and errors as <see cref="Read(string)"/>, except that a short data
    /// chunk is reported through the flag rather than thrown.
    /// </summary>
    public static WavInfo ReadInfo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return ReadInfo(stream, path);
    }

    public static WavInfo ReadInfo(Stream stream, string nameForErrors) =>
        Parse(stream, nameForErrors, WavReadOptions.Lenient, decode: false).Info;

    public static WavReadResult ReadWithInfo(Stream stream, string nameForErrors, WavReadOptions? options = null) =>
        Parse(stream, nameForErrors, options ?? WavReadOptions.Strict, decode: true);

    private static WavReadResult Parse(Stream stream, string nameForErrors, WavReadOptions options, bool decode)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        var reader = new ChunkStream(stream);
        string name = nameForErrors;

        Span<byte> header = stackalloc byte[12];
        int got = reader.ReadUpTo(header);
        if (got == 0)
        {
            throw new AudioFormatException(name, "file is empty");
        }

        bool isRf64 = header[..Math.Min(got, 4)].SequenceEqual("RF64"u8);
        if (got < 4 || !(header[..4].SequenceEqual("RIFF"u8) || isRf64))
        {
            if (got >= 4 && header[..4].SequenceEqual("RIFX"u8))
            {
                throw new AudioFormatException(name, "big-endian RIFX WAV files are not supported");
            }

            throw new AudioFormatException(name, $"not a RIFF/WAVE file (starts with {Describe(header[..Math.Min(got, 4)])})");
        }

        if (got < 12)
        {
            throw new AudioFormatException(name, $"file is truncated: {got} bytes, a RIFF/WAVE header needs 12");
        }

        if (!header[8..12].SequenceEqual("WAVE"u8))
        {
            throw new AudioFormatException(name, $"RIFF file of form {Describe(header[8..12])} is not WAVE");
        }

        FmtInfo? fmt = null;
        long rf64DataSize = -1;
        Span<byte> chunkHeader = stackalloc byte[8];
        while (true)
        {
            long chunkOffset = reader.Position;
            got = reader.ReadUpTo(chunkHeader);
            if (got == 0)
            {
                break;
            }

            if (got < 8)
            {
                throw new AudioFormatException(name, $"chunk header at byte {chunkOffset} is truncated ({got} of 8 bytes)");
            }

            string id = Encoding.ASCII.GetString(chunkHeader[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            switch (id)
            {
                case "fmt ":
                    fmt = ReadFmt(reader, name, size);
                    break;
                case "ds64" when isRf64:
                    rf64DataSize = ReadDs64(reader, name, size);
                    break;
                case "data":
                    if (fmt is null)
                    {
                        throw new AudioFormatException(name, "data chunk comes before the fmt chunk");
                    }

                    long declared = isRf64 && size == StreamedSize && rf64DataSize >= 0 ? rf64DataSize : size;
                    bool toEnd = size == StreamedSize && !(isRf64 && rf64DataSize >= 0);
                    return decode
                        ? ReadData(reader, name, fmt, declared, toEnd, options)
                        : new WavReadResult(new AudioClip([], fmt.SampleRate), DescribeData(reader, name, fmt, declared, toEnd));
                default:
                    long skip = size + (size & 1);
                    long skipped = reader.Skip(skip);
                    if (skipped < size)
                    {
                        throw new AudioFormatException(name,
                            $"chunk '{Printable(id)}' at byte {chunkOffset} is truncated: header says {size} bytes, " +
                            $"file has {skipped} (and no data chunk was found before it)");
                    }

                    break;
            }
        }

        throw new AudioFormatException(name, fmt is null ? "no fmt chunk found" : "no data chunk found");
    }

    private static FmtInfo ReadFmt(ChunkStream reader, string name, uint size)
    {
        if (size < 16)
        {
            throw new AudioFormatException(name, $"fmt chunk is {size} bytes, expected at least 16");
        }

        if (size > MaxFmtBytes)
        {
            throw new AudioFormatException(name, $"fmt chunk claims {size} bytes, which is not plausible");
        }

        var body = new byte[size + (size & 1)];
        int got = reader.ReadUpTo(body);
        if (got < size)
        {
            throw new AudioFormatException(name, $"fmt chunk is truncated: header says {size} bytes, file has {got}");
        }

        ReadOnlySpan<byte> b = body;
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(b);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(b[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(b[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(b[14..]);
        bool extensible = tag == 0xFFFE;
        if (extensible)
        {
            if (size < 40)
            {
                throw new AudioFormatException(name,
                    $"fmt chunk is WAVE_FORMAT_EXTENSIBLE but only {size} bytes long, expected 40");
            }

            int validBits = BinaryPrimitives.ReadUInt16LittleEndian(b[18..]);
            if (validBits > bits)
            {
                throw new AudioFormatException(name,
                    $"fmt chunk says {validBits} valid bits in a {bits}-bit container");
            }

            ReadOnlySpan<byte> guid = b.Slice(24, 16);
            ReadOnlySpan<byte> baseGuidTail = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            if (!guid[4..].SequenceEqual(baseGuidTail) || guid[2] != 0 || guid[3] != 0)
            {
                throw new AudioFormatException(name,
                    $"WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)} is not PCM or IEEE float");
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }

        string kind = extensible ? "extensible " : "";
        if (channels == 0)
        {
            throw new AudioFormatException(name, "fmt chunk says 0 channels");
        }

        if (rate == 0 || rate > int.MaxValue)
        {
            throw new AudioFormatException(name, $"fmt chunk says sample rate {rate} Hz");
        }

        WavSampleFormat format = (tag, bits) switch
        {
            (1, 8) => WavSampleFormat.Pcm8,
            (1, 16) => WavSampleFormat.Pcm16,
            (1, 24) => WavSampleFormat.Pcm24,
            (1, 32) => WavSampleFormat.Pcm32,
            (3, 32) => WavSampleFormat.Float32,
            (3, 64) => WavSampleFormat.Float64,
            (1, _) => throw new AudioFormatException(name,
                $"{kind}PCM with {bits} bits per sample is not supported (8, 16, 24 or 32)"),
            (3, _) => throw new AudioFormatException(name,
                $"{kind}IEEE float with {bits} bits per sample is not supported (32 or 64)"),
            _ => throw new AudioFormatException(name,
                $"unsupported format tag 0x{tag:X4}{TagName(tag)}; supported: PCM, IEEE float, extensible"),
        };

        int expectedAlign = channels * format.BytesPerSample();
        if (blockAlign != expectedAlign)
        {
            string what = format.IsFloat() ? $"{bits}-bit float" : $"{bits}-bit PCM";
            throw new AudioFormatException(name,
                $"fmt chunk says {what} with {channels} channel(s) and block align {blockAlign}, expected {expectedAlign}");
        }

        return new FmtInfo(format, channels, (int)rate, blockAlign);
    }

    private static long ReadDs64(ChunkStream reader, string name, uint size)
    {
        if (size < 24)
        {
            throw new AudioFormatException(name, $"ds64 chunk is {size} bytes, expected at least 24");
        }

        Span<byte> body = stackalloc byte[24];
        if (reader.ReadUpTo(body) < 24)
        {
            throw new AudioFormatException(name, "ds64 chunk is truncated");
        }

        long rest = size - 24 + (size & 1);
        if (reader.Skip(rest) < size - 24)
        {
            throw new AudioFormatException(name, "ds64 chunk is truncated");
        }

        long dataSize = BinaryPrimitives.ReadInt64LittleEndian(body[8..]);
        if (dataSize < 0)
        {
            throw new AudioFormatException(name, $"ds64 chunk says data size {dataSize}");
        }

        return dataSize;
    }

    private static WavReadResult ReadData(
        ChunkStream reader, string name, FmtInfo fmt, long declared, bool toEnd, WavReadOptions options)
    {
        int align = fmt.BlockAlign;
        if (!toEnd && declared % align != 0 && !options.AllowTruncatedData)
        {
            throw new AudioFormatException(name,
                $"data chunk size {declared} is not a multiple of the block align {align}");
        }

        long declaredFrames = toEnd ? long.MaxValue : declared / align;
        long remaining = reader.RemainingBytes;
        long capacityHint = Math.Min(declaredFrames, remaining >= 0 ? remaining / align : BlockFrames);
        if (capacityHint > Array.MaxLength)
        {
            throw new AudioFormatException(name, $"data chunk holds more than {Array.MaxLength} frames");
        }

        var samples = new float[Math.Max(1, capacityHint)];
        var block = new byte[BlockFrames * align];
        long frames = 0;
        long bytesRead = 0;
        int pending = 0; // bytes of a partial frame carried to the next read
        while (frames < declaredFrames)
        {
            long wantFrames = Math.Min(BlockFrames, declaredFrames - frames);
            int want = (int)(wantFrames * align) - pending;
            int got = reader.ReadUpTo(block.AsSpan(pending, want));
            bytesRead += got;
            int available = pending + got;
            int whole = available / align;
            if (whole > 0)
            {
                if (frames + whole > samples.Length)
                {
                    long grown = Math.Max(frames + whole, Math.Min((long)samples.Length * 2, Array.MaxLength));
                    if (grown > Array.MaxLength)
                    {
                        throw new AudioFormatException(name, $"data chunk holds more than {Array.MaxLength} frames");
                    }

                    Array.Resize(ref samples, (int)grown);
                }

                Decode(block.AsSpan(0, whole * align), fmt, samples.AsSpan((int)frames, whole), name, frames);
                frames += whole;
            }

            pending = available - whole * align;
            if (pending > 0)
            {
                block.AsSpan(whole * align, pending).CopyTo(block);
            }

            if (got < want)
            {
                break; // end of file
            }
        }

        bool truncated = !toEnd && bytesRead < declared;
        if (truncated && !options.AllowTruncatedData)
        {
            throw new AudioFormatException(name,
                $"data chunk is truncated: header says {declared} bytes, file has {bytesRead}");
        }

        if (frames == 0)
        {
            throw new AudioFormatException(name,
                bytesRead == 0 ? "data chunk holds no samples" : $"data chunk holds {bytesRead} bytes, less than one frame ({align} bytes)");
        }

        if (frames < samples.Length)
        {
            Array.Resize(ref samples, (int)frames);
        }

        var info = new WavInfo(fmt.Format, fmt.Channels, fmt.SampleRate, frames, truncated,
            toEnd ? StreamedSize : declared);
        return new WavReadResult(new AudioClip(samples, fmt.SampleRate), info);
    }

    private static WavInfo DescribeData(ChunkStream reader, string name, FmtInfo fmt, long declared, bool toEnd)
    {
        long remaining = reader.RemainingBytes;
        long available = toEnd ? remaining : remaining >= 0 ? Math.Min(declared, remaining) : declared;
        if (available < 0)
        {
            throw new AudioFormatException(name, "data chunk size is unknown (streamed) and the source cannot seek");
        }

        long frames = available / fmt.BlockAlign;
        if (frames == 0)
        {
            throw new AudioFormatException(name, "data chunk holds no samples");
        }

        return new WavInfo(fmt.Format, fmt.Channels, fmt.SampleRate, frames, !toEnd && available < declared,
            toEnd ? StreamedSize : declared);
    }

    /// <summary>Decodes whole frames and averages channels into <paramref name="destination"/>. Every float sample
    /// must be finite and within ±<see cref="MaxAbsFloatSample"/> (the first bad one is named by frame and channel).</summary>
    private static void Decode(ReadOnlySpan<byte> bytes, FmtInfo fmt, Span<float> destination, string name, long firstFrame)
    {
        int channels = fmt.Channels;
        int width = fmt.Format.BytesPerSample();
        bool isFloat = fmt.Format.IsFloat();
        float inv = 1f / channels;
        for (int f = 0; f < destination.Length; f++)
        {
            ReadOnlySpan<byte> frame = bytes.Slice(f * fmt.BlockAlign, fmt.BlockAlign);
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<byte> s = frame.Slice(c * width, width);
                double sample = fmt.Format switch
                {
                    WavSampleFormat.Pcm8 => (s[0] - 128) / 128.0,
                    WavSampleFormat.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
                    WavSampleFormat.Pcm24 => ((s[0] << 8 | s[1] << 16 | s[2] << 24) >> 8) / 8388608.0,
                    WavSampleFormat.Pcm32 => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
                    WavSampleFormat.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
                if (isFloat && !(Math.Abs(sample) <= MaxAbsFloatSample)) // also false for NaN
                {
                    string where = channels == 1 ? $"sample {firstFrame + f}" : $"sample {firstFrame + f} (frame {firstFrame + f}, channel {c})";
                    string what = double.IsFinite(sample)
                        ? $"is {sample:G6}, outside ±{MaxAbsFloatSample:G} (float WAV samples are nominally within ±1)"
                        : $"is not finite ({sample})";
                    throw new AudioFormatException(name, $"{where} {what}; the file is corrupt or not normalized");
                }
                sum += sample;
            }

            destination[f] = channels == 1 ? (float)sum : (float)sum * inv;
        }
    }

    /// <summary>Largest magnitude accepted for a float sample: ±1 is full scale, this allows +24 dB of headroom;
    /// anything beyond (1e20, 3e38) is garbage that would turn into Inf/NaN features.</summary>
    public const double MaxAbsFloatSample = 16.0;

    private static string TagName(int tag) => tag switch
    {
        0x0002 => " (Microsoft ADPCM)",
        0x0006 => " (A-law)",
        0x0007 => " (mu-law)",
        0x0011 => " (IMA ADPCM)",
        0x0055 => " (MPEG layer 3)",
        _ => "",
    };

    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("'");
        foreach (byte c in bytes)
        {
            if (c >= 0x20 && c < 0x7F)
            {
                sb.Append((char)c);
            }
            else
            {
                sb.Append($"\\x{c:X2}");
            }
        }

        return sb.Append('\'').ToString();
    }

    private static string Printable(string id) => Describe(Encoding.ASCII.GetBytes(id)).Trim('\'');

    private sealed record FmtInfo(WavSampleFormat Format, int Channels, int SampleRate, int BlockAlign);

    /// <summary>Forward-only reader that counts bytes and skips by seeking when it can.</summary>
    private sealed class ChunkStream(Stream stream)
    {
        private readonly long _start = stream.CanSeek ? stream.Position : 0;

        public long Position { get; private set; }

        /// <summary>Bytes left in a seekable stream, -1 if unknown.</summary>
        public long RemainingBytes => stream.CanSeek ? Math.Max(0, stream.Length - (_start + Position)) : -1;

        public int ReadUpTo(Span<byte> buffer)
        {
            int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            Position += n;
            return n;
        }

        public long Skip(long count)
        {
            if (stream.CanSeek)
            {
                long available = Math.Min(count, RemainingBytes);
                stream.Seek(available, SeekOrigin.Current);
                Position += available;
                return available;
            }

            Span<byte> scratch = stackalloc byte[4096];
            long skipped = 0;
            while (skipped < count)
            {
                int n = ReadUpTo(scratch[..(int)Math.Min(scratch.Length, count - skipped)]);
                if (n == 0)
                {
                    break;
                }

                skipped += n;
            }

            return skipped;
        }
    }
}
