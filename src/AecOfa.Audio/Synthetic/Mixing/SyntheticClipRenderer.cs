using AecOfa.Audio.Synthetic.Backgrounds;
using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Mixing;

/// <summary>
/// Renders a <see cref="ClipRecipe"/>:
/// 1. the background (<see cref="BackgroundSynthesizer"/>);
/// 2. each event: synthesized dry from its own seed with at most (clip length - onset) samples (so it may be cut by
///    the clip end), passed through the clip's room (<see cref="RoomReverb.Apply"/>, the tail kept up to the clip end),
///    then scaled so that its SNR equals the drawn value, where
///    SNR = 10 log10( sum over the active span of event^2 / sum over the same span of background^2 )
///    and the active span is [onset, onset + dry length), i.e. where the source itself is sounding (reverb tail excluded);
/// 3. one gain on all parts so that the mixture's peak is <see cref="ClipRecipe.OutputPeak"/> (&lt; 1: no clipping, and a
///    common gain leaves every SNR unchanged; no limiter, which would distort the stated SNRs).
/// </summary>
public sealed class SyntheticClipRenderer
{
    private readonly IReadOnlyList<IEventSynthesizer> _synthesizers;
    private readonly int _sampleRate;

    public SyntheticClipRenderer(IReadOnlyList<IEventSynthesizer> synthesizers, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(synthesizers);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        _synthesizers = synthesizers;
        _sampleRate = sampleRate;
    }

    public SyntheticClip Render(ClipRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (recipe.OutputPeak is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(recipe), recipe.OutputPeak, "ClipRecipe.OutputPeak must be in (0, 1).");
        int length = recipe.Length;
        float[] background = BackgroundSynthesizer.Render(recipe.Background, _sampleRate, length);
        // One room per clip: its impulse response's spectrum is computed once and shared by the clip's events.
        FftConvolver? roomConvolver = recipe.Events.Count > 0 ? new FftConvolver(recipe.Room.ImpulseResponse(_sampleRate)) : null;

        var signals = new float[recipe.Events.Count][];
        var activeLengths = new int[recipe.Events.Count];
        for (int e = 0; e < recipe.Events.Count; e++)
        {
            EventPlacement placement = recipe.Events[e];
            if ((uint)placement.ClassIndex >= (uint)_synthesizers.Count)
                throw new ArgumentOutOfRangeException(nameof(recipe), placement.ClassIndex, $"Event {e}: class index must be in [0, {_synthesizers.Count}).");
            if (placement.Onset < 0 || placement.Onset >= length)
                throw new ArgumentOutOfRangeException(nameof(recipe), placement.Onset, $"Event {e}: onset must be in [0, {length}).");
            int room = length - placement.Onset;
            IEventSynthesizer synthesizer = _synthesizers[placement.ClassIndex];
            float[] dry = synthesizer.Generate(new Random(placement.Seed), _sampleRate, room);
            if (dry.Length < 1 || dry.Length > room)
                throw new InvalidOperationException($"Synthesizer '{synthesizer.Name}' returned {dry.Length} samples; expected 1..{room}.");
            var signal = new float[Math.Min(room, dry.Length + roomConvolver!.FilterLength - 1)];
            RoomReverb.Apply(dry, roomConvolver, placement.Wet, signal);

            double eventEnergy = 0, backgroundEnergy = 0;
            for (int i = 0; i < dry.Length; i++)
            {
                eventEnergy += (double)signal[i] * signal[i];
                double b = background[placement.Onset + i];
                backgroundEnergy += b * b;
            }
            if (eventEnergy <= 0)
                throw new InvalidOperationException($"Synthesizer '{synthesizer.Name}' produced a silent event (seed {placement.Seed}).");
            float gain = (float)Math.Sqrt(backgroundEnergy * Math.Pow(10, placement.SnrDb / 10) / eventEnergy);
            for (int i = 0; i < signal.Length; i++) signal[i] *= gain;
            signals[e] = signal;
            activeLengths[e] = dry.Length;
        }

        var mixture = (float[])background.Clone();
        for (int e = 0; e < signals.Length; e++) Accumulate(mixture, signals[e], recipe.Events[e].Onset);
        float peak = 0;
        foreach (float v in mixture) peak = Math.Max(peak, Math.Abs(v));
        float outputGain = peak > 0 ? (float)(recipe.OutputPeak / peak) : 1f;

        // Scale the parts, then re-sum them, so that parts and mixture agree exactly.
        Scale(background, outputGain);
        Array.Copy(background, mixture, length);
        var events = new RenderedEvent[signals.Length];
        for (int e = 0; e < signals.Length; e++)
        {
            EventPlacement placement = recipe.Events[e];
            Scale(signals[e], outputGain);
            Accumulate(mixture, signals[e], placement.Onset);
            events[e] = new RenderedEvent(_synthesizers[placement.ClassIndex].Name, placement.ClassIndex, placement.Onset,
                activeLengths[e], placement.SnrDb, signals[e]);
        }
        string[] labels = recipe.Events.Select(p => p.ClassIndex).Distinct().Order().Select(c => _synthesizers[c].Name).ToArray();
        return new SyntheticClip(new AudioClip(mixture, _sampleRate), labels, background, events, recipe);
    }

    private static void Accumulate(float[] mixture, float[] signal, int onset)
    {
        for (int i = 0; i < signal.Length; i++) mixture[onset + i] += signal[i];
    }

    private static void Scale(float[] x, float gain)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= gain;
    }
}
