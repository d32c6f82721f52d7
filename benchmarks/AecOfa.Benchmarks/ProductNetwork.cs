namespace AecOfa.Benchmarks;

/// <summary>Which of the product's networks (src/AecOfa.Nas) a benchmark trains for a reference subnet.</summary>
public enum ProductNetwork
{
    /// <summary>The <see cref="AecOfa.Nas.Static.StaticMbv3Network"/> extracted for the subnet's configuration.</summary>
    Static,

    /// <summary>The weight-sharing <see cref="AecOfa.Nas.Supernet.OfaSupernet"/> running the subnet's configuration.</summary>
    Supernet,
}
