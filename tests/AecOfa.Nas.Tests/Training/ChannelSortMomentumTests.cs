using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using Xunit.Abstractions;

namespace AecOfa.Nas.Tests.Training;

/// <summary>
/// Progressive shrinking keeps the optimizer across an expand phase's channel sort only if the optimizer state moves
/// with the channels: then the sort changes neither the full network's function nor its next update.
/// </summary>
public class ChannelSortMomentumTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly ArchSpace Space = TinySupernet.Space;
    private static readonly ArchConfig Largest = ArchConfig.Max(Space);

    public enum Kind { SgdNesterov, AdamW }

    private static Optimizer NewOptimizer(OfaSupernet net, Kind kind) => kind == Kind.SgdNesterov
        ? new Sgd(net.NamedParameters(), 0.5f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f)
        // epsilon well above float noise: Adam divides by sqrt(v), so a gradient element near 0 would turn the last-bit
        // differences of a reordered sum into visible updates (the permuted state itself is checked exactly below)
        : new AdamW(net.NamedParameters(), 0.02f, epsilon: 1e-3f, weightDecay: 1e-2f);

    /// <summary>One real training step of the largest sub-network (train mode, BN batch statistics).</summary>
    private static void Step(OfaSupernet net, Optimizer optimizer, Tensor x, Tensor y)
    {
        net.Train();
        optimizer.ZeroGrad();
        // Summed over classes as the trainer does (TrainerOptions.SumOverClasses): gradients of a realistic size.
        var loss = TensorOps.WeightedLossSum((TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x, Largest), y), Space.Classes));
        loss.Backward();
        optimizer.Step();
    }

    private static Tensor Outputs(OfaSupernet net, Tensor probe)
    {
        net.Eval();
        using var _ = GradMode.NoGrad();
        var logits = net.Forward(probe, Largest);
        net.Train();
        return logits;
    }

    private static (OfaSupernet Net, Optimizer Optimizer) AfterOneStep(Kind kind, Tensor x0, Tensor y0)
    {
        var net = TinySupernet.Build(13);
        var optimizer = NewOptimizer(net, kind);
        Step(net, optimizer, x0, y0);
        return (net, optimizer);
    }

    [Theory]
    [InlineData(Kind.SgdNesterov)]
    [InlineData(Kind.AdamW)]
    public void Sorting_with_the_optimizer_state_permuted_leaves_the_full_networks_function_and_next_update_unchanged(Kind kind)
    {
        var rng = new Random(5);
        var (x0, y0) = Batch(rng);
        var (x1, y1) = Batch(rng);
        var probe = TinySupernet.Input(rng, 6);

        var (a, optimizerA) = AfterOneStep(kind, x0, y0);
        var (b, optimizerB) = AfterOneStep(kind, x0, y0);
        var (c, optimizerC) = AfterOneStep(kind, x0, y0); // negative control: sorted, optimizer state NOT permuted
        Assert.Equal(Outputs(b, probe).Data, Outputs(a, probe).Data); // identical so far (bitwise)
        Assert.Contains(optimizerA.Parameters, p => optimizerA.StateBuffers(p.Parameter).Count > 0);

        var beforeSort = Outputs(a, probe);
        var permutations = ChannelSorter.SortMiddleChannels(a, [Space.ExpandChoices.Max()], optimizerA);
        ChannelSorter.SortMiddleChannels(c, [Space.ExpandChoices.Max()]);
        // The sort must really move channels (else the test proves nothing), in an SE block too.
        Assert.Contains(permutations, p => !p.Middle.SequenceEqual(Enumerable.Range(0, p.Middle.Length)));
        Assert.Contains(permutations, p => p.SeHidden is { } h && !h.SequenceEqual(Enumerable.Range(0, h.Length)));

        double afterSort = TinySupernet.MaxAbsDiff(beforeSort, Outputs(a, probe));
        Assert.True(afterSort <= Tolerance * Scale(beforeSort), $"the sort changed the full network's outputs by {afterSort}");

        Step(a, optimizerA, x1, y1);
        Step(b, optimizerB, x1, y1);
        Step(c, optimizerC, x1, y1);
        var expected = Outputs(b, probe);
        double permuted = TinySupernet.MaxAbsDiff(expected, Outputs(a, probe));
        double unpermuted = TinySupernet.MaxAbsDiff(expected, Outputs(c, probe));
        output.WriteLine($"{kind}: after sort {afterSort:G3}, permuted {permuted:G3}, unpermuted {unpermuted:G3}, scale {Scale(expected):G3}");
        Assert.True(permuted <= Tolerance * Scale(expected), $"sorted + permuted state: the next update differs by {permuted} (unpermuted {unpermuted})");
        Assert.True(unpermuted > 20 * Tolerance * Scale(expected), $"negative control: without permuting the state the update should differ, got {unpermuted} (permuted {permuted}, scale {Scale(expected)})");
    }

    [Theory]
    [InlineData(Kind.SgdNesterov, 1)]
    [InlineData(Kind.AdamW, 2)]
    public void Every_optimizer_state_buffer_is_permuted_exactly_like_its_parameter(Kind kind, int buffers)
    {
        var rng = new Random(6);
        var (x0, y0) = Batch(rng);
        var (net, optimizer) = AfterOneStep(kind, x0, y0);
        var block = net.Block(1, 0); // stage 2 has squeeze-excitation
        var weight = block.ExpandConv.Weight;
        var weightBefore = weight.Data.ToArray();
        var stateBefore = optimizer.StateBuffers(weight).Select(b => b.ToArray()).ToList();
        var seWeight = block.Se!.Reduce.Weight;
        var seStateBefore = optimizer.StateBuffers(seWeight).Select(b => b.ToArray()).ToList();
        Assert.Equal(buffers, stateBefore.Count);
        Assert.Equal(buffers, seStateBefore.Count);

        var permutation = ChannelSorter.SortMiddleChannels(net, [Space.ExpandChoices.Max()], optimizer).Single(p => p.Stage == 1 && p.Block == 0);
        Assert.False(permutation.Middle.SequenceEqual(Enumerable.Range(0, permutation.Middle.Length)));
        var state = optimizer.StateBuffers(weight);
        int rows = weight.Shape[0], per = weight.Numel / rows;
        for (int i = 0; i < rows; i++)
        {
            int from = permutation.Middle[i];
            Assert.Equal(weightBefore.AsSpan(from * per, per).ToArray(), weight.Data.AsSpan(i * per, per).ToArray());
            for (int b = 0; b < buffers; b++)
                Assert.Equal(stateBefore[b].AsSpan(from * per, per).ToArray(), state[b].AsSpan(i * per, per).ToArray());
        }
        // SE reduce (hidden, middle, 1, 1): rows follow the hidden permutation, columns the middle one.
        var seState = optimizer.StateBuffers(seWeight);
        int hidden = seWeight.Shape[0], middle = seWeight.Shape[1];
        for (int b = 0; b < buffers; b++)
            for (int h = 0; h < hidden; h++)
                for (int m = 0; m < middle; m++)
                    Assert.Equal(seStateBefore[b][permutation.SeHidden![h] * middle + permutation.Middle[m]], seState[b][h * middle + m]);
    }

    private static double Scale(Tensor t) => 1 + t.Data.Max(v => Math.Abs(v));

    private static (Tensor X, Tensor Y) Batch(Random rng)
    {
        var x = TinySupernet.Input(rng, 6);
        var y = Tensor.Zeros(6, Space.Classes);
        for (int i = 0; i < 6; i++) y[i, rng.Next(Space.Classes)] = 1f;
        return (x, y);
    }
}
