namespace AecOfa.Audio;
