namespace AecOfa.Audio.Dsp;

/// <summary>Conversions between Hz and mel.</summary>
public static class Mel
{
    private const double SlaneyHzPerMel = 200.0 / 3;
    private const double SlaneyBreakHz = 1000;
    private const double SlaneyBreakMel = SlaneyBreakHz / SlaneyHzPerMel; // 15
    private static readonly double SlaneyLogStep = Math.Log(6.4) / 27;

    public static double HzToMel(double hz, MelScale scale) => scale switch
    {
        MelScale.Htk => 2595 * Math.Log10(1 + hz / 700),
        MelScale.Slaney => hz < SlaneyBreakHz
            ? hz / SlaneyHzPerMel
            : SlaneyBreakMel + Math.Log(hz / SlaneyBreakHz) / SlaneyLogStep,
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "unknown mel scale"),
    };

    public static double MelToHz(double mel, MelScale scale) => scale switch
    {
        MelScale.Htk => 700 * (Math.Pow(10, mel / 2595) - 1),
        MelScale.Slaney => mel < SlaneyBreakMel
            ? mel * SlaneyHzPerMel
            : SlaneyBreakHz * Math.Exp(SlaneyLogStep * (mel - SlaneyBreakMel)),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "unknown mel scale"),
    };
}
