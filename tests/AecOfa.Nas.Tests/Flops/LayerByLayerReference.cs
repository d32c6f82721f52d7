using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Flops;

/// <summary>
/// Independent reference for the FLOPs tests: lists the network as generic layers (conv with groups, linear) the
/// way Model.cs builds it, and counts each layer with the textbook formulas — MACs = Cout · (Cin/groups) · k² · Hout · Wout,
/// params = weights + bias + 2·Cout for a BN. It shares no code with FlopsCounter (own make_divisible too).
/// </summary>
internal static class LayerByLayerReference
{
    private sealed record Layer(string Name, long Macs, long Params);

    // make_divisible written from its definition: nearest multiple (halves up), floor at the divisor, +divisor if >10% lost.
    private static int RoundChannels(double v)
    {
        int nearest = (int)Math.Floor((v + 4.0) / 8.0) * 8;
        if (nearest < 8) nearest = 8;
        if (nearest < 0.9 * v) nearest += 8;
        return nearest;
    }

    private static int Out(int n, int k, int s) => (int)Math.Floor((n + 2.0 * (k / 2) - k) / s) + 1;

    public static (long Macs, long Params, List<string> Layers) Count(ArchSpace space, ArchConfig config, int height, int width)
    {
        var layers = new List<Layer>();
        int h = height, w = width;

        void Conv(string name, int cin, int cout, int k, int stride, int groups, bool bias, bool bn)
        {
            int ho = Out(h, k, stride), wo = Out(w, k, stride);
            long perOut = (long)(cin / groups) * k * k;
            layers.Add(new Layer(name, perOut * cout * ho * wo, perOut * cout + (bias ? cout : 0) + (bn ? 2 * cout : 0)));
            h = ho;
            w = wo;
        }
        void Linear(string name, int fin, int fout, bool bias) =>
            layers.Add(new Layer(name, (long)fin * fout, (long)fin * fout + (bias ? fout : 0)));

        double wm = space.WidthMultiplier;
        int stem = RoundChannels(space.StemWidth * wm);
        Conv("stem", 1, stem, 3, 2, 1, false, true);
        Conv("first.dw", stem, stem, 3, 1, stem, false, true);
        Conv("first.pw", stem, stem, 1, 1, 1, false, true);
        int cin = stem;
        for (int s = 0; s < space.Stages.Length; s++)
        {
            var st = space.Stages[s];
            int cout = RoundChannels(st.Width * wm);
            for (int b = 0; b < config.Depth(s); b++)
            {
                int mid = RoundChannels(Math.Round((double)(cin * config.Expand(s, b)), MidpointRounding.ToEven));
                int k = config.Kernel(s, b);
                Conv($"s{s}b{b}.expand", cin, mid, 1, 1, 1, false, true);
                Conv($"s{s}b{b}.dw", mid, mid, k, b == 0 ? st.Stride : 1, mid, false, true);
                if (st.UseSe)
                {
                    int se = RoundChannels(mid / 4);
                    // SE runs 1x1 convs on the pooled 1x1 map: save and restore the spatial size.
                    var (sh, sw) = (h, w);
                    (h, w) = (1, 1);
                    Conv($"s{s}b{b}.se.reduce", mid, se, 1, 1, 1, true, false);
                    Conv($"s{s}b{b}.se.expand", se, mid, 1, 1, 1, true, false);
                    (h, w) = (sh, sw);
                }
                Conv($"s{s}b{b}.project", mid, cout, 1, 1, 1, false, true);
                cin = cout;
            }
        }
        int fe = RoundChannels(space.FinalExpandWidth * wm);
        int fm = RoundChannels(space.FeatureMixWidth * wm);
        Conv("final_expand", cin, fe, 1, 1, 1, false, true);
        Linear("feature_mix", fe, fm, false);
        Linear("classifier", fm, space.Classes, true);
        return (layers.Sum(l => l.Macs), layers.Sum(l => l.Params), layers.Select(l => l.Name).ToList());
    }
}
