namespace AecOfa.Engine;

/// <summary>
/// Whether operations record onto the autograd graph on this thread. Evaluation and BN recalibration run
/// inside <c>using (GradMode.NoGrad()) { ... }</c>; nothing is recorded and no backward state is kept.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    public static bool IsEnabled => _disabledDepth == 0;

    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope();
    }

    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => _disabledDepth--;
    }
}
