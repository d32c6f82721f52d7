namespace AecOfa.Engine;

/// <summary>Reverse-mode automatic differentiation over the graph of <see cref="GradNode"/>s.</summary>
public static class Autograd
{
    /// <summary>
    /// Records <paramref name="output"/> as produced by an op over <paramref name="inputs"/> when grad mode is on
    /// and any input requires a gradient. <paramref name="backward"/> receives the output (its Grad is set) and
    /// must add into each input that requires grad via <see cref="Tensor.GradForAccumulate"/>.
    /// </summary>
    public static Tensor Record(Tensor output, string opName, Tensor[] inputs, Action<Tensor> backward)
    {
        OpProfiler.Current?.ForwardMark(opName, output);
        if (!Tensor.ShouldRecord(inputs)) return output;
        output.RequiresGrad = true;
        output.GradFn = new GradNode(opName, inputs, backward);
        return output;
    }

    /// <summary>
    /// Backpropagates from <paramref name="root"/>. A scalar root gets seed 1; a non-scalar root needs
    /// <paramref name="seed"/>. Leaf gradients ACCUMULATE across calls (zero them in the optimizer);
    /// intermediate gradients are dropped afterwards. The graph is freed unless <paramref name="retainGraph"/>.
    /// </summary>
    public static void Backward(Tensor root, Tensor? seed = null, bool retainGraph = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward() on {root} which does not require a gradient: no input of the computation requires one, or it ran under GradMode.NoGrad().");
        if (seed is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward() on a non-scalar tensor of shape {ShapeUtil.Format(root.Shape)} needs a seed gradient of the same shape.");
            seed = root.IsOnCpu ? Tensor.Scalar(1f) : null;
        }
        else if (!ShapeUtil.SameShape(seed.Shape, root.Shape))
        {
            throw new ArgumentException($"Seed gradient shape {ShapeUtil.Format(seed.Shape)} differs from the root's {ShapeUtil.Format(root.Shape)}.");
        }
        if (root.GradFn is { IsReleased: true })
            throw new InvalidOperationException($"Backward() through '{root.GradFn.OpName}' a second time: its graph was freed by the first Backward(). Run the forward pass again, or pass retainGraph: true the first time.");

        var order = TopologicalOrder(root);

        // Seed: the root may be a leaf (then its gradient accumulates like any leaf).
        if (!root.IsOnCpu) SeedOnDevice(root, seed);
        else
        {
            var rootGrad = root.GradForAccumulate();
            var seedSpan = seed!.Span; // set above for a host root
            for (int i = 0; i < rootGrad.Length; i++) rootGrad[i] += seedSpan[i];
        }

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.GradFn!;
            if (t.Grad is null) continue; // nothing flowed into this branch
            if (OpProfiler.Current is { } profiler)
            {
                long t0 = profiler.Clock();
                node.Run(t);
                profiler.AddBackward(node.OpName, t, profiler.Clock() - t0);
            }
            else
            {
                node.Run(t);
            }
            if (!retainGraph)
            {
                node.Release();
                var consumed = t.Grad;
                t.Grad = null; // intermediate gradient is no longer needed
                TensorArena.ReleaseEarly(consumed); // nothing else references it: back to the pool now
            }
        }
    }

    /// <summary>Adds the seed (1 for a scalar root when null) into a device root's gradient; a seed must be on the root's device.</summary>
    private static void SeedOnDevice(Tensor root, Tensor? seed)
    {
        var gpu = root.Device.Accelerated;
        var grad = root.DeviceGradForAccumulate();
        if (seed is null) Kernels.Gpu.ElementwiseGpu.AddScalar(gpu, grad.View, 1f);
        else
        {
            Tensor.CommonDevice("Backward (seed gradient)", root, seed);
            Kernels.Gpu.ElementwiseGpu.Accumulate(gpu, seed.View, grad.View, accumulate: true);
        }
    }

    /// <summary>Non-leaf tensors reachable from root, inputs before outputs (iterative DFS, no recursion limit).</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        if (root.GradFn is null) return order;
        var visited = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int next)>();
        stack.Push((root, 0));
        visited.Add(root.GradFn);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.GradFn is { } cn && child.RequiresGrad)
                {
                    if (cn.IsReleased)
                        throw new InvalidOperationException($"Backward() through '{cn.OpName}' a second time: its graph was freed by the first Backward(). Run the forward pass again, or pass retainGraph: true the first time.");
                    if (visited.Add(cn)) stack.Push((child, 0));
                }
            }
            else
            {
                order.Add(t);
            }
        }
        return order;
    }
}

public static class TensorAutogradExtensions
{
    /// <summary>Backpropagates from this tensor; see <see cref="Autograd.Backward"/>.</summary>
    public static void Backward(this Tensor root, Tensor? seed = null, bool retainGraph = false)
        => Autograd.Backward(root, seed, retainGraph);
}
