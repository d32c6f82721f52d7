using ScottPlot;
using AtomicFile = AecOfa.Engine.IO.AtomicFile;

namespace AecOfa.Pipelines;

/// <summary>MACs-vs-metric plots as PNG (headless ScottPlot): points, lines and error bars per series.</summary>
public static class FrontPlot
{
    /// <summary>One series: (MACs in millions, metric, standard deviation) points; a line through them when <paramref name="Line"/>.</summary>
    public sealed record Series(string Name, IReadOnlyList<(double MegaMacs, double Value, double Std)> Points, bool Line);

    public static void Write(string path, string title, string metric, IReadOnlyList<Series> series)
    {
        var plot = new Plot();
        foreach (var s in series.Where(s => s.Points.Count > 0))
        {
            var ordered = s.Points.OrderBy(p => p.MegaMacs).ToArray();
            double[] xs = ordered.Select(p => p.MegaMacs).ToArray(), ys = ordered.Select(p => p.Value).ToArray();
            var scatter = s.Line ? plot.Add.Scatter(xs, ys) : plot.Add.ScatterPoints(xs, ys);
            scatter.LegendText = s.Name;
            scatter.MarkerSize = s.Line ? 9 : 6;
            if (s.Line) scatter.LineWidth = 2;
            if (ordered.Any(p => p.Std > 0))
            {
                var bars = plot.Add.ErrorBar(xs, ys, ordered.Select(p => p.Std).ToArray());
                bars.Color = scatter.Color;
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic();
        plot.Title(title);
        plot.XLabel("MACs per clip (millions)");
        plot.YLabel(metric);
        plot.ShowLegend(Alignment.LowerRight);
        byte[] png = plot.GetImageBytes(1000, 650, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
