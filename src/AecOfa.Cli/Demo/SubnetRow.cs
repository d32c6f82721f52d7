using AecOfa.Nas.Space;

namespace AecOfa.Cli.Demo;

/// <summary>One evaluated sub-network: its cost, BN-recalibrated validation mAP and (for the best few) test mAP.</summary>
internal sealed record SubnetRow(string Name, ArchConfig Config, long Macs, long Params, double ValMap, double? TestMap, bool OnFront);
