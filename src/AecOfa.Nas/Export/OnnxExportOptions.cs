namespace AecOfa.Nas.Export;

/// <summary>Options of <see cref="OnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The ONNX opset imported (17 or newer; every op used exists unchanged from opset 14 on).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Fixed number of frames in the input's shape, or null (the default) for a symbolic "frames" dimension:
    /// the network ends in a global average pool, so any length runs (the training clip length is in the metadata).</summary>
    public int? Frames { get; init; }

    /// <summary>Also output "scores" = sigmoid(logits) (the multi-label probabilities the model was trained for).</summary>
    public bool IncludeScores { get; init; } = true;
}
