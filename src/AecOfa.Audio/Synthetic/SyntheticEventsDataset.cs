using AecOfa.Audio.Synthetic.Events;
using AecOfa.Audio.Synthetic.Mixing;

namespace AecOfa.Audio.Synthetic;

/// <summary>
/// The built-in synthetic household-events dataset: multi-label clips of 0-3 procedurally synthesized events over a
/// noisy, reverberant background. Clips are generated on demand by (split, index) from <see cref="ClipSeeds"/>, so any
/// clip can be produced alone, in any order and on any thread, always bitwise identical. Thread-safe.
/// </summary>
public sealed class SyntheticEventsDataset
{
    private readonly IReadOnlyList<IEventSynthesizer> _synthesizers;
    private readonly SyntheticClipRenderer _renderer;

    /// <param name="options">Settings; null = defaults.</param>
    /// <param name="synthesizers">Event classes in label order; null = <see cref="EventCatalog.CreateDefault"/>.</param>
    public SyntheticEventsDataset(SyntheticEventsOptions? options = null, IReadOnlyList<IEventSynthesizer>? synthesizers = null)
    {
        Options = options ?? new SyntheticEventsOptions();
        Options.Validate();
        _synthesizers = synthesizers ?? EventCatalog.CreateDefault();
        if (_synthesizers.Count == 0) throw new ArgumentException("At least one event synthesizer is required.", nameof(synthesizers));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IEventSynthesizer s in _synthesizers)
        {
            if (string.IsNullOrWhiteSpace(s.Name) || s.Name.IndexOfAny([';', ',', '"', '\n', '\r']) >= 0)
                throw new ArgumentException($"Synthesizer name '{s.Name}' must be non-empty without ';', ',', quotes or line breaks.", nameof(synthesizers));
            if (!names.Add(s.Name)) throw new ArgumentException($"Duplicate synthesizer name '{s.Name}'.", nameof(synthesizers));
        }
        ClassNames = _synthesizers.Select(s => s.Name).ToArray();
        _renderer = new SyntheticClipRenderer(_synthesizers, Options.SampleRate);
    }

    public SyntheticEventsOptions Options { get; }

    /// <summary>Class names in output (label index) order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int Count(DatasetSplit split) => Options.Count(split);

    /// <summary>The recipe (background, room, events with onsets, SNRs and seeds) of clip <paramref name="index"/> of a split.</summary>
    public ClipRecipe GetRecipe(DatasetSplit split, int index)
    {
        int count = Count(split);
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Split {split.ManifestName()} has {count} clips.");
        var rng = new Random(ClipSeeds.For(Options.Seed, split, index));
        return ClipRecipeSampler.Sample(rng, Options, _synthesizers.Count);
    }

    /// <summary>Clip <paramref name="index"/> of a split with its parts (background, each event after mixing).</summary>
    public SyntheticClip GetDetailed(DatasetSplit split, int index) => _renderer.Render(GetRecipe(split, index));

    /// <summary>Clip <paramref name="index"/> of a split and its labels (distinct class names, in class order; empty for none).</summary>
    public (AudioClip Clip, string[] Labels) Get(DatasetSplit split, int index)
    {
        SyntheticClip clip = GetDetailed(split, index);
        return (clip.Audio, clip.Labels);
    }

    /// <summary>All clips of a split in index order, generated lazily one at a time.</summary>
    public IEnumerable<(AudioClip Clip, string[] Labels)> Enumerate(DatasetSplit split)
    {
        int count = Count(split);
        for (int i = 0; i < count; i++) yield return Get(split, i);
    }
}
