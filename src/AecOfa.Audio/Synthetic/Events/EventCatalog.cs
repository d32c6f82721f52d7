namespace AecOfa.Audio.Synthetic.Events;

/// <summary>The built-in household event classes, in output (label index) order.</summary>
public static class EventCatalog
{
    /// <summary>A fresh list of the 11 built-in synthesizers; the order is the class index order written to classes.txt.</summary>
    public static IReadOnlyList<IEventSynthesizer> CreateDefault() =>
    [
        new SmokeAlarmSynthesizer(),
        new ApplianceBeepSynthesizer(),
        new PhoneRingSynthesizer(),
        new DoorbellSynthesizer(),
        new KnockSynthesizer(),
        new GlassBreakSynthesizer(),
        new DogBarkSynthesizer(),
        new BabyCrySynthesizer(),
        new SirenSynthesizer(),
        new RunningWaterSynthesizer(),
        new FootstepsSynthesizer(),
    ];
}
