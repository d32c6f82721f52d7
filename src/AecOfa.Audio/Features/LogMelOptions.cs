using System.Globalization;
using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Features;

/// <summary>
/// Every parameter of the log-mel front end. Defaults for 16 kHz: 25 ms periodic Hann window (400 samples) centred
/// in a 512-point FFT, 10 ms hop (160), reflect-padded centred frames (librosa center=True), power spectrum, 64 mel
/// bands 50-8000 Hz on the Slaney scale with Slaney area normalization (librosa defaults), ln(mel + 1e-6).
/// </summary>
public sealed record LogMelOptions
{
    public int SampleRate { get; init; } = 16000;

    public int FftSize { get; init; } = 512;

    public int WindowLength { get; init; } = 400;

    public int HopLength { get; init; } = 160;

    public StftPadding Padding { get; init; } = StftPadding.CenterReflect;

    public int MelBins { get; init; } = 64;

    public double FMin { get; init; } = 50;

    public double FMax { get; init; } = 8000;

    public MelScale MelScale { get; init; } = MelScale.Slaney;

    public MelNormalization MelNormalization { get; init; } = MelNormalization.Slaney;

    public LogCompression Log { get; init; } = LogCompression.NaturalLogOffset;

    /// <summary>Offset (ln) or clamp (dB) that keeps silence finite.</summary>
    public double LogFloor { get; init; } = 1e-6;

    /// <summary>A stable string naming every parameter; feature caches hash it.</summary>
    public string ConfigKey
    {
        get
        {
            static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            string pad = Padding switch
            {
                StftPadding.CenterReflect => "center-reflect",
                StftPadding.CenterZero => "center-zero",
                _ => "none",
            };
            string log = Log == LogCompression.NaturalLogOffset ? $"ln(x+{D(LogFloor)})" : $"10log10(max(x,{D(LogFloor)}))";
            return $"logmel-v1;sr={SampleRate};nfft={FftSize};win={WindowLength};window=hann-periodic;hop={HopLength};" +
                   $"pad={pad};power=2;mels={MelBins};fmin={D(FMin)};fmax={D(FMax)};" +
                   $"scale={MelScale.ToString().ToLowerInvariant()};norm={MelNormalization.ToString().ToLowerInvariant()};log={log}";
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent parameter.</summary>
    public void Validate()
    {
        static void Fail(string name, object value, string expected) =>
            throw new ArgumentException($"LogMelOptions.{name} = {value}: {expected}", name);

        if (SampleRate <= 0)
        {
            Fail(nameof(SampleRate), SampleRate, "must be positive");
        }

        if (FftSize < 2)
        {
            Fail(nameof(FftSize), FftSize, "must be at least 2 (powers of two are fastest)");
        }

        if (WindowLength <= 0 || WindowLength > FftSize)
        {
            Fail(nameof(WindowLength), WindowLength, $"must be in 1..FftSize ({FftSize})");
        }

        if (HopLength <= 0)
        {
            Fail(nameof(HopLength), HopLength, "must be positive");
        }

        if (MelBins <= 0)
        {
            Fail(nameof(MelBins), MelBins, "must be positive");
        }

        if (!(FMin >= 0 && FMin < FMax))
        {
            Fail(nameof(FMin), FMin, $"must be in [0, FMax ({FMax}))");
        }

        if (!(FMax <= SampleRate / 2.0))
        {
            Fail(nameof(FMax), FMax, $"must be at most the Nyquist frequency {SampleRate / 2.0} Hz");
        }

        if (!(LogFloor > 0 && double.IsFinite(LogFloor)))
        {
            Fail(nameof(LogFloor), LogFloor, "must be positive and finite");
        }

        if (!Enum.IsDefined(Padding) || !Enum.IsDefined(MelScale) || !Enum.IsDefined(MelNormalization) || !Enum.IsDefined(Log))
        {
            throw new ArgumentException("LogMelOptions has an undefined enum value");
        }
    }
}
