using AecOfa.Engine;
using AecOfa.Engine.IO;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

public class SubnetExtractorTests
{
    private static IEnumerable<ArchConfig> Configs(int seed, int random)
    {
        var space = TinySupernet.Space;
        yield return ArchConfig.Max(space);
        yield return ArchConfig.Min(space);
        var rng = new Random(seed);
        for (int i = 0; i < random; i++) yield return ArchSampling.Sample(space, rng);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(17)]
    public void Static_network_reproduces_the_supernet_subnetwork(int frames)
    {
        var supernet = TinySupernet.Build(11);
        supernet.Eval();
        var x = TinySupernet.Input(new Random(12), 3, frames: frames);
        foreach (var config in Configs(13, 8))
        {
            var expected = supernet.Forward(x, config);
            var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, config);
            Assert.False(net.IsTraining);
            double diff = TinySupernet.MaxAbsDiff(net.Forward(x), expected);
            Assert.True(diff < 1e-5, $"{config}: max |static - supernet| = {diff:E2}");
            Assert.DoesNotContain(net.NamedParameters(), p => p.Name.Contains("transform", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Macs_counted_while_running_and_parameters_equal_the_flops_counter()
    {
        var flops = new FlopsCounter(TinySupernet.Space);
        var supernet = TinySupernet.Build(14);
        supernet.Eval();
        var rng = new Random(15);
        foreach (var config in Configs(16, 10))
        {
            var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, config);
            Assert.Equal(flops.Params(config), net.ParameterCount());
            foreach (var (mel, frames) in new[] { (8, 12), (8, 9), (5, 23), (11, 7) })
            {
                var tally = new MacTally();
                net.Forward(TinySupernet.Input(rng, 2, mel, frames), tally);
                var expected = flops.Count(config, config.MelBins, (frames + config.HopFactor - 1) / config.HopFactor);
                Assert.True(expected.Macs == tally.Macs, $"{config} on {mel}x{frames}: tally {tally.Macs} vs FlopsCounter {expected.Macs}");
            }
            // At the nominal input, the config's own resolution genes give the same count.
            var nominal = new MacTally();
            net.Forward(TinySupernet.Input(rng, 1), nominal);
            Assert.Equal(flops.Macs(config), nominal.Macs);
        }
    }

    [Fact]
    public void Public_extraction_recalibrates_the_config_first()
    {
        var space = TinySupernet.Space;
        var config = ArchSampling.Sample(space, new Random(52));
        var rng = new Random(53);
        var recalibrator = new BnRecalibrator(new TinySupernet.FixedFeatures(TinySupernet.Input(rng, 6)), clips: 6, batchSize: 4);
        var x = TinySupernet.Input(rng, 3);
        var stale = SubnetExtractor.ExtractWithCurrentStatistics(TinySupernet.Build(51), config).Forward(x);

        var net = SubnetExtractor.Extract(TinySupernet.Build(51), config, recalibrator);
        var twin = TinySupernet.Build(51);
        recalibrator.Recalibrate(twin, config);
        twin.Eval();
        var expected = twin.Forward(x, config);
        Assert.True(TinySupernet.MaxAbsDiff(net.Forward(x), expected) < 1e-5);
        Assert.True(TinySupernet.MaxAbsDiff(stale, expected) > 1e-3, "recalibration changed nothing; the test would be vacuous");
    }

    [Fact]
    public void Save_and_load_round_trip_in_one_file_with_front_end_settings()
    {
        var supernet = TinySupernet.Build(17);
        supernet.Eval();
        var config = ArchSampling.Sample(TinySupernet.Space, new Random(18));
        var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, config);
        var x = TinySupernet.Input(new Random(19), 2);
        var frontEnd = new Dictionary<string, string> { ["sampleRate"] = "16000", ["mean"] = "-4.25", ["note"] = "ünïcode \"quoted\"" };
        string dir = Directory.CreateTempSubdirectory("aecofa-subnet").FullName;
        try
        {
            string path = Path.Combine(dir, "subnet.safetensors");
            StaticNetworkFile.Save(path, net, frontEnd);
            Assert.Single(Directory.GetFiles(dir));
            var loaded = StaticNetworkFile.Load(path);
            Assert.Equal(config, loaded.Network.Config);
            Assert.Equal(TinySupernet.Space, loaded.Network.Space);
            Assert.Equal(frontEnd, loaded.FrontEnd);
            Assert.Equal(0.0, TinySupernet.MaxAbsDiff(loaded.Network.Forward(x), net.Forward(x)));

            // A file whose config does not describe its tensors is refused, naming the mismatch.
            var content = SafetensorsFile.Read(path);
            var meta = content.Metadata.Where(kv => kv.Key != SafetensorsFile.DataSha256Key).ToDictionary(kv => kv.Key, kv => kv.Value);
            var other = config.Equals(ArchConfig.Max(TinySupernet.Space)) ? ArchConfig.Min(TinySupernet.Space) : ArchConfig.Max(TinySupernet.Space);
            meta[StaticNetworkFile.ConfigKey] = other.ToJson();
            string bad = Path.Combine(dir, "bad.safetensors");
            SafetensorsFile.Write(bad, content.Tensors, meta);
            var e = Assert.Throws<FormatException>(() => StaticNetworkFile.Load(bad));
            Assert.Contains("bad.safetensors", e.Message);
            Assert.Contains("do not match", e.Message);

            meta.Remove(StaticNetworkFile.SpaceKey);
            SafetensorsFile.Write(bad, content.Tensors, meta);
            Assert.Contains(StaticNetworkFile.SpaceKey, Assert.Throws<FormatException>(() => StaticNetworkFile.Load(bad)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
