using System.Numerics.Tensors;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Band-limited polyphase resampler for any rational ratio of integer rates, with a Kaiser-windowed sinc.
/// The ratio is reduced to up/down = L/M. Output sample n sits at input time t = n*M/L; it is the dot product of
/// 2*HalfWidth input samples around t with the filter phase (n*M mod L), taken from a table precomputed once per
/// ratio (each phase normalized to unit DC gain). The low-pass cutoff is placed at the lower of the two Nyquist
/// frequencies: passband to 0.9 of it, stopband from 1.0 of it with <see cref="StopbandDb"/> attenuation, so tones
/// just above the new Nyquist cannot alias. Samples outside the input are zero. Processing allocates nothing
/// (except for ratios too fine to tabulate, whose phases are computed per output sample).
/// Immutable after construction and thread-safe.
/// </summary>
public sealed class Resampler
{
    /// <summary>Above this many coefficients, phases are computed on the fly instead of tabulated.</summary>
    private const long MaxTableCoefficients = 1 << 22;

    private readonly float[]? _table; // [phase][tap]
    private readonly double _cutoff;   // cycles per input sample * 2 (1 = input Nyquist)
    private readonly double _beta;

    public Resampler(int inputRate, int outputRate, double stopbandDb = 90, double passbandFraction = 0.9)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        if (stopbandDb is < 40 or > 160)
        {
            throw new ArgumentOutOfRangeException(nameof(stopbandDb), stopbandDb, "stopband attenuation must be 40..160 dB");
        }

        if (passbandFraction is <= 0.5 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(passbandFraction), passbandFraction, "passband fraction must be in (0.5, 1)");
        }

        InputRate = inputRate;
        OutputRate = outputRate;
        int g = Gcd(inputRate, outputRate);
        Up = outputRate / g;
        Down = inputRate / g;
        StopbandDb = stopbandDb;
        double scale = Math.Min(1.0, (double)Up / Down);
        // Transition from passbandFraction to 1.0 of the lower Nyquist; cutoff in its middle.
        double transition = (1 - passbandFraction) * scale; // in units of the input Nyquist
        _cutoff = (1 + passbandFraction) / 2 * scale;
        _beta = Kaiser.Beta(stopbandDb);
        // Kaiser length estimate N = (A - 7.95) / (2.285 * dw), dw = pi * transition (radians per input sample).
        int taps = (int)Math.Ceiling((stopbandDb - 7.95) / (2.285 * Math.PI * transition)) + 1;
        HalfWidth = Math.Max(2, (taps + 1) / 2);
        if (Up == Down)
        {
            return;
        }

        if ((long)Up * TapsPerPhase <= MaxTableCoefficients)
        {
            _table = new float[Up * TapsPerPhase];
            for (int p = 0; p < Up; p++)
            {
                FillPhase(p, _table.AsSpan(p * TapsPerPhase, TapsPerPhase), new double[TapsPerPhase]);
            }
        }
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Interpolation factor L of the reduced ratio L/M.</summary>
    public int Up { get; }

    /// <summary>Decimation factor M of the reduced ratio L/M.</summary>
    public int Down { get; }

    public double StopbandDb { get; }

    /// <summary>Filter half-length in input samples.</summary>
    public int HalfWidth { get; }

    public int TapsPerPhase => 2 * HalfWidth;

    /// <summary>ceil(inputLength * L / M): output samples whose time falls inside the input.</summary>
    public int OutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        long n = ((long)inputLength * Up + Down - 1) / Down;
        return n > Array.MaxLength
            ? throw new ArgumentOutOfRangeException(nameof(inputLength), inputLength, "resampled signal would be too long")
            : (int)n;
    }

    /// <summary>Resamples a clip at <see cref="InputRate"/> to <see cref="OutputRate"/>.</summary>
    public AudioClip Process(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.SampleRate != InputRate)
        {
            throw new ArgumentException($"clip is {clip.SampleRate} Hz, this resampler expects {InputRate} Hz", nameof(clip));
        }

        return new AudioClip(Process(clip.Samples), OutputRate);
    }

    public float[] Process(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength(input.Length)];
        Process(input, output);
        return output;
    }

    /// <summary>Writes exactly <see cref="OutputLength"/>(input.Length) samples into <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        int outLength = OutputLength(input.Length);
        if (output.Length != outLength)
        {
            throw new ArgumentException($"output has {output.Length} samples, expected {outLength}", nameof(output));
        }

        if (Up == Down)
        {
            input.CopyTo(output);
            return;
        }

        // Taps of output n cover input [first, first + k), first = floor(n M / L) - HalfWidth + 1. Samples outside
        // the input are zero, so edge outputs use only the overlapping part of the taps (no padded copy).
        int k = TapsPerPhase;
        float[]? scratch = _table is null ? new float[k] : null;
        double[]? work = _table is null ? new double[k] : null;
        long position = 0; // n * M
        for (int n = 0; n < outLength; n++, position += Down)
        {
            long baseIndex = position / Up;
            int phase = (int)(position - baseIndex * Up);
            ReadOnlySpan<float> coefficients;
            if (_table is not null)
            {
                coefficients = _table.AsSpan(phase * k, k);
            }
            else
            {
                FillPhase(phase, scratch, work!);
                coefficients = scratch;
            }

            long first = baseIndex - HalfWidth + 1;
            if (first >= 0 && first + k <= input.Length)
            {
                output[n] = TensorPrimitives.Dot(coefficients, input.Slice((int)first, k));
            }
            else
            {
                int j0 = (int)Math.Max(0, -first);
                int j1 = (int)Math.Min(k, input.Length - first);
                output[n] = j1 > j0
                    ? TensorPrimitives.Dot(coefficients[j0..j1], input.Slice((int)(first + j0), j1 - j0))
                    : 0f;
            }
        }
    }

    /// <summary>
    /// Naive float64 reference: the same filter evaluated directly for every output sample, no table, no padding.
    /// </summary>
    internal double[] ProcessReference(ReadOnlySpan<float> input)
    {
        var y = new double[OutputLength(input.Length)];
        if (Up == Down)
        {
            for (int i = 0; i < input.Length; i++)
            {
                y[i] = input[i];
            }

            return y;
        }

        for (int n = 0; n < y.Length; n++)
        {
            double t = (double)n * Down / Up;
            int first = (int)Math.Floor(t) - HalfWidth + 1;
            double sum = 0, norm = 0;
            for (int i = first; i < first + TapsPerPhase; i++)
            {
                double h = Kernel(i - t);
                norm += h;
                if (i >= 0 && i < input.Length)
                {
                    sum += h * input[i];
                }
            }

            y[n] = sum / norm;
        }

        return y;
    }

    private void FillPhase(int phase, Span<float> destination, Span<double> values)
    {
        double frac = (double)phase / Up;
        double norm = 0;
        for (int j = 0; j < destination.Length; j++)
        {
            values[j] = Kernel(j - HalfWidth + 1 - frac);
            norm += values[j];
        }

        for (int j = 0; j < destination.Length; j++)
        {
            destination[j] = (float)(values[j] / norm);
        }
    }

    /// <summary>Windowed sinc at offset <paramref name="x"/> input samples.</summary>
    private double Kernel(double x)
    {
        double u = _cutoff * x;
        double sinc = u == 0 ? 1 : Math.Sin(Math.PI * u) / (Math.PI * u);
        return _cutoff * sinc * Kaiser.Window(x / HalfWidth, _beta);
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
