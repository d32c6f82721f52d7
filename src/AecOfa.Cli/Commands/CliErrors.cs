namespace AecOfa.Cli.Commands;

/// <summary>
/// Turns failures into one clear line on stderr and an exit code, never a bare stack trace
/// (set AECOFA_DEBUG=1 to also print the stack trace of unexpected errors).
/// </summary>
public static class CliErrors
{
    public const int UsageOrInputError = 2;
    public const int InternalError = 3;

    public static int Guard(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            error.WriteLine($"aecofa: error: {MessageOf(e)}");
            return UsageOrInputError;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("aecofa: cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            error.WriteLine($"aecofa: internal error ({e.GetType().Name}): {e.Message}");
            if (Environment.GetEnvironmentVariable("AECOFA_DEBUG") == "1") error.WriteLine(e);
            else error.WriteLine("aecofa: set AECOFA_DEBUG=1 for the stack trace, and please report it.");
            return InternalError;
        }
    }

    private static string MessageOf(Exception e)
    {
        string message = e is ArgumentException { ParamName: { } name } a ? a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
        message = message.ReplaceLineEndings(" ");
        return IsDivergence(e) && e.GetType().Name != "NonFiniteLossException"
            ? $"{message} Training diverged (a non-finite batch-norm statistic): a too high learning rate is the likely cause; lower --learning-rate."
            : message;
    }

    /// <summary>Non-finite statistics in a normalization layer: what a diverged training run leaves behind.</summary>
    private static bool IsDivergence(Exception e) =>
        e.GetType().Name == "NonFiniteLossException"
        || (e is ArgumentException && e.Message.Contains("running variance", StringComparison.Ordinal)
            && (e.Message.Contains("NaN", StringComparison.Ordinal) || e.Message.Contains('∞') || e.Message.Contains("Infinity", StringComparison.Ordinal)));

    /// <summary>Exceptions whose message already says what was wrong with the user's input or files.</summary>
    private static bool IsUserFacing(Exception e) =>
        e is ArgumentException or IOException or InvalidDataException or FormatException
            or UnauthorizedAccessException or NotSupportedException or System.Text.Json.JsonException
        || e.GetType().Name.EndsWith("FormatException", StringComparison.Ordinal)
        || e.GetType().Name.EndsWith("ManifestException", StringComparison.Ordinal)
        || e.GetType().Name.EndsWith("CheckpointException", StringComparison.Ordinal)
        || e is Engine.ComputeDeviceUnavailableException // --device cuda without a driver or GPU: says what was looked for
        || IsDivergence(e); // a diverged run (e.g. --learning-rate 1e30) is a setting to change, not an internal error
}
