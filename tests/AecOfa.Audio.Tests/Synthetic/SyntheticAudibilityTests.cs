using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Backgrounds;
using AecOfa.Audio.Synthetic.Events;
using AecOfa.Audio.Synthetic.Mixing;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticAudibilityTests
{
    private const int Rate = 16000;
    private static readonly IReadOnlyList<IEventSynthesizer> Classes = EventCatalog.CreateDefault();

    private static int ClassIndex(string name) => Classes.Select(c => c.Name).ToList().IndexOf(name);

    /// <summary>A clip with one event of the class at 0.6 s, 0 dB SNR over a pink or babble background, in a mid-size room.</summary>
    private static SyntheticClip OneEvent(string name, BackgroundKind kind, int seed, double snrDb = 0)
    {
        var recipe = new ClipRecipe(Rate * 3 / 2, new BackgroundRecipe(kind, 50, -10, seed), new RoomReverb(0.4, 0.005, 5000, seed + 1),
            [new EventPlacement(ClassIndex(name), (int)(0.6 * Rate), snrDb, 0.3, seed + 2)], 0.8);
        return new SyntheticClipRenderer(Classes, Rate).Render(recipe);
    }

    /// <summary>Band power in the 64 ms after the onset over the 64 ms before it.</summary>
    private static double OnsetRiseDb(SyntheticClip clip, double loHz, double hiHz)
    {
        int onset = clip.Events[0].Onset, window = 1024;
        float[] x = clip.Audio.Samples;
        double before = SyntheticSignalProbe.BandPower(x, onset - window, window, Rate, loHz, hiHz);
        double after = SyntheticSignalProbe.BandPower(x, onset, window, Rate, loHz, hiHz);
        return 10 * Math.Log10(after / before);
    }

    [Theory]
    [InlineData("smoke_alarm", 2900, 3350, 10, true)]  // the alarm's band around 3 kHz
    [InlineData("glass_break", 2000, 7000, 6, true)]  // impact and high partials
    [InlineData("footsteps", 40, 250, 6, true)]       // low thud
    [InlineData("phone_ring", 350, 1300, 4, false)]   // dual tone (babble fills this band at 0 dB SNR: pink only)
    public void EventRaisesEnergyInItsBandAtOnset(string name, double loHz, double hiHz, double minRiseDb, bool overBabbleToo)
    {
        foreach (BackgroundKind kind in overBabbleToo ? new[] { BackgroundKind.PinkNoise, BackgroundKind.Babble } : [BackgroundKind.PinkNoise])
        {
            for (int seed = 10; seed < 13; seed++)
            {
                double rise = OnsetRiseDb(OneEvent(name, kind, seed), loHz, hiHz);
                Assert.True(rise > minRiseDb, $"{name} over {kind}, seed {seed}: band rose {rise:F1} dB, expected > {minRiseDb}");
            }
        }
    }

    [Fact]
    public void SmokeAlarmBandStaysQuietWithoutTheAlarm()
    {
        // Control for the test above: a knock at the same place does not light up the 3 kHz band.
        double rise = OnsetRiseDb(OneEvent("knock", BackgroundKind.PinkNoise, 10), 2900, 3350);
        Assert.True(rise < 6, $"3 kHz band rose {rise:F1} dB for a knock");
    }

    [Fact]
    public void SirenSweepsItsPitch()
    {
        var siren = Classes[ClassIndex("siren")];
        for (int seed = 0; seed < 6; seed++)
        {
            float[] y = siren.Generate(new Random(seed), Rate, Rate * 3 / 2);
            var peaks = new List<double>();
            for (int start = 0; start + 512 <= y.Length; start += 1536)
                peaks.Add(SyntheticSignalProbe.PeakHz(y, start, 512, Rate, 450, 2000));
            double ratio = peaks.Max() / peaks.Min();
            Assert.True(ratio > 1.05, $"seed {seed}: fundamental only spans {peaks.Min()}..{peaks.Max()} Hz");
        }
    }

    [Fact]
    public void SmokeAlarmFollowsTheT3PulsePattern()
    {
        // Half-second pulses with half-second gaps: energy in 100 ms frames is on, off, on (modulo the 1.5 s group pause).
        var alarm = Classes[ClassIndex("smoke_alarm")];
        for (int seed = 0; seed < 6; seed++)
        {
            float[] y = alarm.Generate(new Random(seed), Rate, 3 * Rate);
            double firstPulse = SyntheticSignalProbe.Energy(y.AsSpan(Rate / 10, Rate / 10));       // 0.1-0.2 s
            double gap = y.Length > Rate * 8 / 10 ? SyntheticSignalProbe.Energy(y.AsSpan(Rate * 7 / 10, Rate / 10)) : 0; // 0.7-0.8 s
            Assert.True(firstPulse > 100 * gap + 1e-6, $"seed {seed}: pulse energy {firstPulse} vs gap {gap}");
        }
    }
}
