namespace AecOfa.Nas;
