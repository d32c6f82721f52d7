using System.Globalization;

namespace AecOfa.Cli.Commands;

/// <summary>Numbers typed on the command line: invariant culture, no group separators ("0,1" is not 0.1 nor 1).</summary>
public static class CliNumbers
{
    /// <summary>A comma-separated list of numbers, e.g. "0.5,1,2"; each item must be a plain decimal number.</summary>
    public static double[] ParseList(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!double.TryParse(items[i], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]))
                throw new ArgumentException($"{option} '{text}': item {i + 1} ('{items[i]}') is not a number; expected comma-separated numbers with '.' as the decimal point, e.g. 0.5,1,2.");
        return values;
    }
}
