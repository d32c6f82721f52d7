namespace AecOfa.Audio.Wav;

/// <summary>
/// Policy for a data chunk whose header claims more bytes than the file holds.
/// Streamed WAVs (written before their length was known) carry 0xFFFFFFFF as the data size; that value always
/// means "to the end of the file" and is never an error. Any other shortfall is an error by default, because a
/// cut-off download looks exactly like that; with <see cref="AllowTruncatedData"/> the available whole frames are
/// returned and <see cref="WavInfo.DataTruncated"/> is set.
/// </summary>
public sealed record WavReadOptions
{
    public static WavReadOptions Strict { get; } = new();

    public static WavReadOptions Lenient { get; } = new() { AllowTruncatedData = true };

    /// <summary>Return the whole frames that exist instead of throwing when the data chunk is short.</summary>
    public bool AllowTruncatedData { get; init; }
}
