namespace AecOfa.Nas.Space;

/// <summary>Channel-count arithmetic shared by the space, the FLOPs counter and the elastic layers.</summary>
public static class Channels
{
    /// <summary>
    /// MobileNet's make_divisible, exactly as /work/shared/peers/flops.py md() and Model.cs: round to the nearest
    /// multiple of <paramref name="divisor"/> (halves up), at least <paramref name="divisor"/>, and never more than
    /// 10% below <paramref name="value"/>.
    /// </summary>
    public static int MakeDivisible(double value, int divisor = 8)
    {
        if (divisor <= 0) throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "divisor must be positive");
        int n = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return n < 0.9 * value ? n + divisor : n;
    }

    /// <summary>Middle (expanded) width of an MBConv block: make_divisible(round(cin * expand)).
    /// Math.Round rounds halves to even, like Python's round() in flops.py.</summary>
    public static int ExpandedWidth(int inputChannels, int expand) =>
        MakeDivisible(Math.Round((double)inputChannels * expand));

    /// <summary>Hidden width of a squeeze-excitation module: make_divisible(mid / 4) with integer division.</summary>
    public static int SqueezeWidth(int middleChannels) => MakeDivisible(middleChannels / 4);

    /// <summary>Output length of a convolution with padding k/2: (n + 2*(k/2) - k) / stride + 1.</summary>
    public static int ConvOutput(int length, int stride, int kernel) => (length + 2 * (kernel / 2) - kernel) / stride + 1;
}
