using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Events;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks.Synthetic;

/// <summary>Dry synthesis of one event of each class (up to 1.5 s at 16 kHz). Run: --filter '*SyntheticEvent*' --job short.</summary>
[MemoryDiagnoser]
public class SyntheticEventBenchmarks
{
    private IEventSynthesizer _synthesizer = null!;
    private int _next;

    public static IEnumerable<string> ClassNames => EventCatalog.CreateDefault().Select(c => c.Name);

    [ParamsSource(nameof(ClassNames))]
    public string EventClass { get; set; } = "smoke_alarm";

    [GlobalSetup]
    public void Setup() => _synthesizer = EventCatalog.CreateDefault().First(c => c.Name == EventClass);

    [Benchmark]
    public float[] Generate() => _synthesizer.Generate(new Random(_next++), 16000, 24000);
}
