using ScottPlot;

namespace AecOfa.Cli.Demo;

/// <summary>MACs vs validation mAP of the evaluated sub-networks with the front as a line, written as a PNG (headless).</summary>
internal static class ParetoPlot
{
    public static void Write(string path, IReadOnlyList<SubnetRow> rows, string title)
    {
        var plot = new Plot();
        var all = plot.Add.ScatterPoints(rows.Select(r => r.Macs / 1e6).ToArray(), rows.Select(r => r.ValMap).ToArray());
        all.LegendText = "sub-networks (val)";
        all.MarkerSize = 8;
        var front = rows.Where(r => r.OnFront).OrderBy(r => r.Macs).ToArray();
        if (front.Length > 0)
        {
            var line = plot.Add.Scatter(front.Select(r => r.Macs / 1e6).ToArray(), front.Select(r => r.ValMap).ToArray());
            line.LegendText = "Pareto front";
            line.LineWidth = 2;
            line.MarkerSize = 10;
        }
        var tested = rows.Where(r => r.TestMap is not null).ToArray();
        if (tested.Length > 0)
        {
            var test = plot.Add.ScatterPoints(tested.Select(r => r.Macs / 1e6).ToArray(), tested.Select(r => r.TestMap!.Value).ToArray());
            test.LegendText = "test mAP";
            test.MarkerShape = MarkerShape.OpenDiamond;
            test.MarkerSize = 10;
        }
        plot.Title(title);
        plot.XLabel("MACs (millions, per clip)");
        plot.YLabel("mAP");
        plot.ShowLegend(Alignment.LowerRight);
        byte[] png = plot.GetImageBytes(900, 600, ImageFormat.Png);
        Audio.IO.AtomicFile.Write(path, stream => stream.Write(png));
    }
}
