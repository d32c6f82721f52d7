namespace AecOfa.Pipelines.Latency;

/// <summary>Which way of running a network a <see cref="LatencyProfiler"/> measures.</summary>
public enum LatencyPath
{
    /// <summary>The compiled <see cref="Nas.Inference.InferencePlan"/>, one example at a time on the calling thread: what
    /// <c>AudioClassifier</c> (`aecofa predict`) and `aecofa eval` run. Parts are timed inside whole networks.</summary>
    Plan,

    /// <summary>The autograd engine in eval mode (<see cref="Nas.Static.StaticMbv3Network.Forward"/>, no grad, the
    /// engine's thread count), batched: what training-time evaluation runs. Parts are timed on their own.</summary>
    Eval,
}
