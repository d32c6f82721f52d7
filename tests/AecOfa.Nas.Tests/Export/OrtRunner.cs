using AecOfa.Engine;
using Microsoft.ML.OnnxRuntime;

namespace AecOfa.Nas.Tests.Export;

/// <summary>Runs an exported model in ONNX Runtime (single thread) on an engine tensor.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OrtRunner(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    public InferenceSession Session => _session;

    public float[] Run(Tensor x, string output = "logits")
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x.Data, x.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, ["features"], [input], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
