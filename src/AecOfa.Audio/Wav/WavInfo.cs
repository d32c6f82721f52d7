namespace AecOfa.Audio.Wav;

/// <summary>What the file held before the downmix to mono.</summary>
/// <param name="Format">Sample encoding of the data chunk.</param>
/// <param name="Channels">Channel count in the file (the clip is their average).</param>
/// <param name="SampleRate">Sample rate in the file.</param>
/// <param name="Frames">Frames decoded (one sample per channel each).</param>
/// <param name="DataTruncated">True when the data chunk was shorter than its header said and
/// <see cref="WavReadOptions.AllowTruncatedData"/> let the reader keep what was there.</param>
/// <param name="DeclaredDataBytes">Data size from the chunk header (0xFFFFFFFF for streamed files).</param>
public sealed record WavInfo(
    WavSampleFormat Format, int Channels, int SampleRate, long Frames, bool DataTruncated, long DeclaredDataBytes);
