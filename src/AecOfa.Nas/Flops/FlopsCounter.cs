using AecOfa.Nas.Space;

namespace AecOfa.Nas.Flops;

/// <summary>
/// Exact MACs and parameter count of a sub-network, analytic from (space, config, input mel bins × frames), counting
/// both input dimensions (rectangular log-mel input) — the formula of /work/shared/peers/flops.py, generalized to
/// any <see cref="ArchSpace"/> (widths after the width multiplier, any stage count, strides, SE flags).
///
/// Layer by layer (h × w = output map of the layer, convolutions pad k/2):
///   stem conv3×3 s2 1→C (no bias) + BN;  first block dw3×3 + BN, pw C→C + BN;
///   per active block: pw cin→mid + BN, dw k×k (stride on the stage's first block) + BN,
///   [SE: mid→se (bias), se→mid (bias), on the pooled 1×1 map], pw mid→cout + BN;
///   final 1×1 → final expand + BN; feature-mix linear (no bias); classifier linear (bias).
/// mid = make_divisible(round(cin × expand)), se = make_divisible(mid / 4).
///
/// Allocation-free per call (the space is resolved once in the constructor). <see cref="Count(ArchConfig)"/> assumes
/// the config is valid for the space (call <see cref="ArchConfig.Validate"/> once when it comes from outside);
/// it checks only the shape, so search loops pay nothing for re-validation.
/// </summary>
public sealed class FlopsCounter
{
    private readonly ArchSpace _space;
    private readonly int _stem, _finalExpand, _featureMix, _classes, _maxDepth;
    private readonly int[] _widths, _strides;
    private readonly bool[] _se;

    // Middle and SE widths precomputed per (stage, input width = previous or own stage width, expand ratio), because
    // make_divisible's floating-point work dominated the per-call cost. Anything off the table (an expand ratio
    // outside the space, an unexpected input width after a depth-0 stage) falls back to the formula.
    private readonly int _expandTableSize;
    private readonly int[] _midTable, _seTable, _firstInput;

    public FlopsCounter(ArchSpace space)
    {
        space.Validate();
        _space = space;
        _stem = space.StemChannels;
        _finalExpand = space.FinalExpandChannels;
        _featureMix = space.FeatureMixChannels;
        _classes = space.Classes;
        _maxDepth = space.MaxDepth;
        _widths = new int[space.StageCount];
        _strides = new int[space.StageCount];
        _se = new bool[space.StageCount];
        for (int s = 0; s < space.StageCount; s++)
        {
            _widths[s] = space.StageChannels(s);
            _strides[s] = space.Stages[s].Stride;
            _se[s] = space.Stages[s].UseSe;
        }
        _expandTableSize = space.ExpandChoices.Max() + 1;
        _midTable = new int[space.StageCount * 2 * _expandTableSize];
        _seTable = new int[_midTable.Length];
        _firstInput = new int[space.StageCount];
        for (int s = 0; s < space.StageCount; s++)
            for (int first = 0; first < 2; first++)
            {
                int cin = first == 1 ? (s == 0 ? _stem : _widths[s - 1]) : _widths[s];
                if (first == 1) _firstInput[s] = cin;
                for (int e = 1; e < _expandTableSize; e++)
                {
                    int i = (s * 2 + first) * _expandTableSize + e;
                    _midTable[i] = Channels.ExpandedWidth(cin, e);
                    _seTable[i] = Channels.SqueezeWidth(_midTable[i]);
                }
            }
    }

    public ArchSpace Space => _space;

    /// <summary>Cost on the input the config's resolution genes select: config.MelBins × ceil(frames / hop factor).</summary>
    public SubnetCost Count(ArchConfig config) => Count(config, config.MelBins, _space.Input.FramesAt(config.HopFactor));

    /// <summary>Cost on an explicit melBins × frames input (the config's resolution genes are ignored).</summary>
    public SubnetCost Count(ArchConfig config, int melBins, int frames)
    {
        if (config.StageCount != _widths.Length || config.MaxDepth != _maxDepth)
            throw new ArgumentException(
                $"config has {config.StageCount} stages × {config.MaxDepth} slots; the space has {_widths.Length} × {_maxDepth}", nameof(config));
        if (melBins < 1) throw new ArgumentOutOfRangeException(nameof(melBins), melBins, "mel bins must be >= 1");
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), frames, "frames must be >= 1");

        long macs = 0, prm = 0;
        long c0 = _stem;
        int h = Channels.ConvOutput(melBins, 2, 3), w = Channels.ConvOutput(frames, 2, 3);
        macs += c0 * 9 * h * w;                       // stem: 1 input channel
        prm += c0 * 9 + 2 * c0;
        macs += c0 * 9 * h * w + c0 * c0 * h * w;     // first block: dw3×3 s1 + pw
        prm += c0 * 9 + c0 * c0 + 4 * c0;

        int cin = _stem;
        var kernels = config.Kernels;
        var expands = config.Expands;
        var depths = config.Depths;
        for (int s = 0; s < _widths.Length; s++)
        {
            long cout = _widths[s];
            for (int b = 0; b < depths[s]; b++)
            {
                int k = kernels[s * _maxDepth + b];
                int stride = b == 0 ? _strides[s] : 1;
                int e = expands[s * _maxDepth + b];
                // Row 0: cin = the stage width (later blocks); row 1: cin = the previous width (first block).
                bool rest = cin == _widths[s];
                int t = (s * 2 + (rest ? 0 : 1)) * _expandTableSize + e;
                bool tabled = e > 0 && e < _expandTableSize && (rest || cin == _firstInput[s]);
                long mid = tabled ? _midTable[t] : Channels.ExpandedWidth(cin, e);
                macs += cin * mid * h * w;            // expand pw at the input resolution
                prm += cin * mid + 2 * mid;
                int h2 = Channels.ConvOutput(h, stride, k), w2 = Channels.ConvOutput(w, stride, k);
                long hw2 = (long)h2 * w2;
                macs += mid * k * k * hw2;            // depthwise
                prm += mid * k * k + 2 * mid;
                if (_se[s])
                {
                    long se = tabled ? _seTable[t] : Channels.SqueezeWidth((int)mid);
                    macs += 2 * mid * se;
                    prm += 2 * mid * se + se + mid;
                }
                macs += mid * cout * hw2;             // project pw
                prm += mid * cout + 2 * cout;
                h = h2;
                w = w2;
                cin = (int)cout;
            }
        }
        long fe = _finalExpand, fm = _featureMix;
        macs += cin * fe * h * w;
        prm += cin * fe + 2 * fe;
        macs += fe * fm;
        prm += fe * fm;
        macs += fm * _classes;
        prm += fm * _classes + _classes;
        return new SubnetCost(macs, prm, h, w);
    }

    public long Macs(ArchConfig config) => Count(config).Macs;
    public long Flops(ArchConfig config) => Count(config).Flops;
    public long Params(ArchConfig config) => Count(config).Params;
}
