using System.Buffers.Binary;
using System.Globalization;

namespace AecOfa.Nas.Export;

/// <summary>
/// A minimal ONNX graph under construction: nodes, float32 initializers, one float32 input and its outputs,
/// serialized to the ONNX <c>ModelProto</c> schema (onnx.proto, IR version 8) by <see cref="ProtoWriter"/>.
/// Only what <see cref="OnnxExporter"/> uses; names are made unique by the caller.
/// </summary>
internal sealed class OnnxGraph
{
    // onnx.proto field numbers.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDomain = 4, ModelVersion = 5,
        ModelDocString = 6, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphDocString = 10, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrInts = 8, AttrType = 20;
    private const int AttrTypeFloat = 1, AttrTypeInt = 2, AttrTypeString = 3, AttrTypeInts = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int DataTypeFloat = 1, DataTypeInt64 = 7;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private int _nodeCount;

    public int NodeCount => _nodeCount;

    public IReadOnlyList<string> OperatorTypes => _opTypes;

    private readonly List<string> _opTypes = [];

    /// <summary>Adds a float32 constant.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params int[] dims)
    {
        long n = 1;
        foreach (int d in dims) n *= d;
        if (n != values.Length) throw new ArgumentException($"ONNX initializer '{name}': {values.Length} values for dims ({string.Join(", ", dims)})");
        var t = new ProtoWriter();
        foreach (int d in dims) t.Int(TensorDims, d);
        t.Int(TensorDataType, DataTypeFloat).String(TensorName, name);
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        t.Bytes(TensorRawData, raw);
        _initializers.Add(t);
        return name;
    }

    /// <summary>Adds an int64 constant (shapes, axes).</summary>
    public string InitializerInt64(string name, ReadOnlySpan<long> values)
    {
        var t = new ProtoWriter();
        t.Int(TensorDims, values.Length).Int(TensorDataType, DataTypeInt64).String(TensorName, name);
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        t.Bytes(TensorRawData, raw);
        _initializers.Add(t);
        return name;
    }

    /// <summary>A float32 tensor graph input or output; a dimension is a fixed size (int) or a symbolic name (string).</summary>
    public void Input(string name, params object[] dims) => _inputs.Add(ValueInfo(name, dims));

    public void Output(string name, params object[] dims) => _outputs.Add(ValueInfo(name, dims));

    /// <summary>Adds a node; returns its (first) output name. Attribute values: int, long, float, string, int[] or long[].</summary>
    public string Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var n = new ProtoWriter();
        foreach (var i in inputs) n.String(NodeInput, i);
        n.String(NodeOutput, output);
        n.String(NodeName, $"{opType}_{_nodeCount.ToString(CultureInfo.InvariantCulture)}");
        n.String(NodeOpType, opType);
        foreach (var (attrName, value) in attributes) n.Message(NodeAttribute, Attribute(attrName, value));
        _nodes.Add(n);
        _nodeCount++;
        if (!_opTypes.Contains(opType)) _opTypes.Add(opType);
        return output;
    }

    public void WriteModel(Stream stream, string graphName, string docString, int opset, IEnumerable<KeyValuePair<string, string>> metadata, string producerVersion)
    {
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(GraphNode, n);
        graph.String(GraphName, graphName);
        foreach (var t in _initializers) graph.Message(GraphInitializer, t);
        graph.String(GraphDocString, docString);
        foreach (var i in _inputs) graph.Message(GraphInput, i);
        foreach (var o in _outputs) graph.Message(GraphOutput, o);

        var model = new ProtoWriter();
        model.Int(ModelIrVersion, 8).String(ModelProducerName, "aecofa").String(ModelProducerVersion, producerVersion)
            .String(ModelDomain, "ai.aecofa").Int(ModelVersion, 1).String(ModelDocString, docString).Message(ModelGraph, graph);
        model.Message(ModelOpsetImport, new ProtoWriter().String(1, "").Int(2, opset));
        foreach (var (k, v) in metadata) model.Message(ModelMetadataProps, new ProtoWriter().String(1, k).String(2, v));
        model.WriteTo(stream);
    }

    private static ProtoWriter ValueInfo(string name, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = d switch
            {
                int v => new ProtoWriter().Int(1, v),
                string s => new ProtoWriter().String(2, s),
                _ => throw new ArgumentException($"ONNX value '{name}': a dimension must be an int or a string"),
            };
            shape.Message(1, dim);
        }
        var tensorType = new ProtoWriter().Int(1, DataTypeFloat).Message(2, shape);
        var type = new ProtoWriter().Message(1, tensorType);
        return new ProtoWriter().String(1, name).Message(2, type);
    }

    private static ProtoWriter Attribute(string name, object value)
    {
        var a = new ProtoWriter().String(AttrName, name);
        switch (value)
        {
            case int i: a.Int(AttrI, i).Int(AttrType, AttrTypeInt); break;
            case long l: a.Int(AttrI, l).Int(AttrType, AttrTypeInt); break;
            case float f: a.Float(AttrF, f).Int(AttrType, AttrTypeFloat); break;
            case string s: a.String(AttrS, s).Int(AttrType, AttrTypeString); break;
            case int[] ints:
                foreach (int v in ints) a.Int(AttrInts, v);
                a.Int(AttrType, AttrTypeInts);
                break;
            case long[] longs:
                foreach (long v in longs) a.Int(AttrInts, v);
                a.Int(AttrType, AttrTypeInts);
                break;
            default: throw new ArgumentException($"ONNX attribute '{name}': unsupported value type {value?.GetType().Name ?? "null"}");
        }
        return a;
    }
}
