namespace AecOfa.Audio.Wav;

/// <summary>A decoded file: the mono clip and what the file held.</summary>
public sealed record WavReadResult(AudioClip Clip, WavInfo Info);
