using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AecOfa.Cli.Commands;

/// <summary>
/// Strict, culture-invariant numbers for command-line options: an optional sign, digits, at most one '.' as the
/// decimal point and an optional exponent. Group separators are refused ("0,1" is an error that says so, never 1),
/// as are NaN and infinities; errors name the option.
/// </summary>
public static class StrictNumbers
{
    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Parses a finite double, or explains why <paramref name="text"/> is not one (null when it is).</summary>
    public static bool TryParseDouble(string optionName, string text, out double value, out string? error)
    {
        error = null;
        if (double.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
            return true;
        error = Explain(optionName, text, "a number", "0.1");
        return false;
    }

    /// <summary>Parses a 32-bit integer, or explains why <paramref name="text"/> is not one.</summary>
    public static bool TryParseInt(string optionName, string text, out int value, out string? error)
    {
        error = null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return true;
        error = Explain(optionName, text, "a whole number", "1000");
        return false;
    }

    private static string Explain(string optionName, string text, string what, string example)
    {
        string hint = text.Contains(',') || text.Contains('_') || text.Contains('\'') || text.Contains(' ')
            ? (what == "a number" ? $"group separators are not accepted (use '.' as the decimal point, e.g. {example})" : $"group separators are not accepted (e.g. {example})")
            : text.Trim().Length == 0 ? "the value is empty"
            : what == "a whole number" && text.Contains('.') ? "a whole number is expected"
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsFinite(v) ? "it must be finite"
            : $"write it like {example}";
        return $"{optionName}: '{text}' is not {what}: {hint}.";
    }

    /// <summary>A double option parsed strictly (see the class summary), optionally within [min, max].</summary>
    public static Option<double> Double(string name, string description, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result => InRange(result, name, ParseDouble(result, name), min, max);
        return option;
    }

    /// <summary>An int option parsed strictly, optionally within [min, max].</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result => InRange(result, name, ParseInt(result, name), min, max);
        return option;
    }

    private static T InRange<T>(ArgumentResult result, string name, T value, T min, T max) where T : IComparable<T>, IFormattable
    {
        if (result.Errors.Any()) return value; // the parse error already says what is wrong
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name}: {Single(result)} is outside [{min}, {max}]."));
        return value;
    }

    /// <summary>An option taking one or more ints (each parsed strictly), e.g. "--threads 1 2".</summary>
    public static Option<int[]> IntList(string name, string description, int[] defaultValue)
    {
        var option = new Option<int[]>(name) { Description = description, AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result =>
        {
            var values = new List<int>();
            foreach (var token in result.Tokens)
            {
                if (!TryParseInt(name, token.Value, out int value, out string? error))
                {
                    result.AddError(error!);
                    return [];
                }
                values.Add(value);
            }
            return values.ToArray();
        };
        return option;
    }

    /// <summary>
    /// Makes every numeric option of <paramref name="command"/> and its subcommands strict (double, float, int and
    /// their nullable forms) unless the option already has its own parser. Applied once to the root command, so no
    /// option of any command can fall back to the lenient default parser (which reads "0,1" as 1).
    /// </summary>
    public static void ApplyTo(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<double> o when o.CustomParser is null: o.CustomParser = r => ParseDouble(r, o.Name); break;
                case Option<double?> o when o.CustomParser is null: o.CustomParser = r => ParseDouble(r, o.Name); break;
                case Option<float> o when o.CustomParser is null: o.CustomParser = r => (float)ParseDouble(r, o.Name); break;
                case Option<int> o when o.CustomParser is null: o.CustomParser = r => ParseInt(r, o.Name); break;
                case Option<int?> o when o.CustomParser is null: o.CustomParser = r => ParseInt(r, o.Name); break;
            }
        }
        foreach (var sub in command.Subcommands) ApplyTo(sub);
    }

    private static double ParseDouble(ArgumentResult result, string name)
    {
        if (TryParseDouble(name, Single(result), out double value, out string? error)) return value;
        result.AddError(error!);
        return default;
    }

    private static int ParseInt(ArgumentResult result, string name)
    {
        if (TryParseInt(name, Single(result), out int value, out string? error)) return value;
        result.AddError(error!);
        return default;
    }

    private static string Single(ArgumentResult result) => result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
}
