using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Networks;

/// <summary>
/// A network that runs sub-networks of an <see cref="ArchSpace"/>: the weight-sharing supernet (every config of its
/// space) or one fixed network (only its own config). The trainer, the evaluator and the BN recalibrator see only
/// this, so the supernet, a from-scratch baseline and a retrained searched architecture share one training loop.
/// </summary>
public interface IArchNetwork
{
    ArchSpace Space { get; }

    /// <summary>The module that owns the parameters and buffers (for optimizers, checkpoints, train/eval mode).</summary>
    Module Module { get; }

    /// <summary>Whether <paramref name="config"/> is a sub-network this network can run.</summary>
    bool Contains(ArchConfig config);

    /// <summary>Logits (N, classes) of <paramref name="config"/> on features (N, 1, mel bins, frames) at the front
    /// end's resolution; dropout only in training mode and only with a caller-owned generator.</summary>
    Tensor Forward(Tensor x, ArchConfig config, Random? dropout = null);

    /// <summary>A short description for logs and run identities ("supernet", "static d=2,2,… k=…").</summary>
    string Describe();
}
