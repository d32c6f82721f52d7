namespace AecOfa.Cli.Console;

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
