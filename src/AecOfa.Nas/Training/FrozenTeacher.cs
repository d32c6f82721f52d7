using System.Security.Cryptography;
using AecOfa.Engine;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// A trained network used only as a teacher: its logits are computed in eval mode (running BN statistics, no dropout)
/// without a tape, and nothing ever updates it (it is not given to any optimizer). Its <see cref="Identity"/> (a hash
/// of its weights, statistics and config) is part of the identity of every run that learns from it.
/// </summary>
public sealed class FrozenTeacher
{
    public FrozenTeacher(IArchNetwork network, ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        if (!network.Contains(config)) throw new ArgumentException($"FrozenTeacher: {network.Describe()} cannot run {config}.", nameof(config));
        Network = network;
        Config = config;
        network.Module.Eval();
        Identity = ComputeIdentity(network, config);
    }

    public IArchNetwork Network { get; }
    public ArchConfig Config { get; }

    /// <summary>Hex SHA-256 over the config and every tensor of the teacher's state dict (names, shapes, values).</summary>
    public string Identity { get; }

    /// <summary>Teacher logits (N, classes) for a batch; no gradient, eval mode.</summary>
    public Tensor Logits(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (Network.Module.IsTraining) Network.Module.Eval(); // never learn running statistics from training batches
        using var _ = GradMode.NoGrad();
        return Network.Forward(features.ToDevice(Network.Module.Device), Config); // the batch goes where the teacher lives
    }

    private static string ComputeIdentity(IArchNetwork network, ArchConfig config)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(config.ToJson()));
        foreach (var (name, t) in network.Module.StateDict())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + ShapeUtil.Format(t.Shape)));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.IsOnCpu ? t.Span : t.ToArray()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
