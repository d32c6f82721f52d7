using AecOfa.Engine;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>Single-label tasks: softmax cross-entropy with label smoothing, KL distillation at a temperature, the
/// one-positive-per-row rule, and top-1 / macro F1 / per-class F1.</summary>
public class SingleLabelTrainingTests
{
    private static readonly ArchSpace Space = TinySupernet.Space with { Dropout = 0 };

    // Two examples, three classes; labels 0 and 2. Expected values computed by hand (float64):
    //   CE(eps) = mean_r -sum_j q_rj log softmax(s_r)_j, q = (1 - eps) one_hot + eps / K;
    //   KD(T)   = T^2 mean_r sum_j p_rj (log p_rj - log softmax(s_r / T)_j), p = softmax(t_r / T).
    private static readonly float[] Student = [2f, 0f, -1f, 0.5f, 1.5f, 0f];
    private static readonly float[] Teacher = [1f, 0f, 0f, 0f, 2f, 1f];
    private static readonly float[] OneHot = [1f, 0f, 0f, 0f, 0f, 1f];
    private const double CrossEntropy = 1.0671074018321152, CrossEntropySmoothed = 1.1171074018321152, KlAtTemperature2 = 0.23259989850292725;

    private static TrainingObjective Objective(TrainerOptions options, float[] targets) =>
        new(options, 3, Tensor.FromArray((float[])targets.Clone(), 2, 3));

    [Fact]
    public void Single_label_losses_equal_the_hand_computed_cross_entropy_and_kl()
    {
        var single = new TrainerOptions { Task = TaskKind.SingleLabel };
        Assert.Equal(CrossEntropy, Objective(single, OneHot).LabelLoss(Tensor.FromArray(Student, 2, 3)).Data[0], 1e-6);
        var smoothed = single with { LabelSmoothing = 0.1f };
        Assert.Equal(CrossEntropySmoothed, Objective(smoothed, OneHot).LabelLoss(Tensor.FromArray(Student, 2, 3)).Data[0], 1e-6);
        var kd = single with { DistillTemperature = 2f };
        Assert.Equal(KlAtTemperature2, Objective(kd, OneHot).DistillLoss(Tensor.FromArray(Student, 2, 3), Tensor.FromArray(Teacher, 2, 3)).Data[0], 1e-6);

        // Soft-ish targets still count as one label when exactly one value is >= 0.5.
        float[] soft = [0.9f, 0.1f, 0f, 0f, 0.2f, 0.8f];
        Assert.Equal(CrossEntropy, Objective(single, soft).LabelLoss(Tensor.FromArray(Student, 2, 3)).Data[0], 1e-6);
        // The multi-label objective on the same numbers is something else (per-class BCE summed over classes).
        Assert.NotEqual(CrossEntropy, Objective(new TrainerOptions(), OneHot).LabelLoss(Tensor.FromArray(Student, 2, 3)).Data[0], 3);
    }

    [Fact]
    public void Trainer_with_a_single_label_task_trains_on_smoothed_cross_entropy_of_the_networks_logits()
    {
        var rng = new Random(3);
        const int n = 6;
        var x = TinySupernet.Input(rng, n);
        var y = Tensor.Zeros(n, Space.Classes);
        var labels = new int[n];
        for (int i = 0; i < n; i++) y[i, labels[i] = rng.Next(Space.Classes)] = 1f;
        var options = new TrainerOptions { Epochs = 1, BatchSize = n, Task = TaskKind.SingleLabel, LabelSmoothing = 0.2f, Seed = 4 };

        var net = new OfaSupernet(Space, 7);
        TinySupernet.Randomize(net, new Random(8));
        var losses = new Trainer(net, new FullNetworkStrategy(), options).AccumulateGradients(x, y, 0);

        var reference = new OfaSupernet(Space, 7);
        TinySupernet.Randomize(reference, new Random(8));
        float[] logits;
        using (GradMode.NoGrad()) logits = reference.Forward(x, ArchConfig.Max(Space)).Data.ToArray();
        double expected = 0;
        int k = Space.Classes;
        for (int i = 0; i < n; i++)
        {
            double max = logits.Skip(i * k).Take(k).Max();
            double lse = max + Math.Log(Enumerable.Range(0, k).Sum(j => Math.Exp(logits[i * k + j] - max)));
            for (int j = 0; j < k; j++)
            {
                double q = 0.2 / k + (j == labels[i] ? 0.8 : 0);
                expected -= q * (logits[i * k + j] - lse);
            }
        }
        expected /= n;
        Assert.Equal("largest", losses.Single().Role);
        Assert.Equal(expected, losses.Single().Loss, 1e-5 * Math.Max(1, expected));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void A_batch_row_without_exactly_one_positive_is_a_clear_error(int positives)
    {
        var data = new TrainingTestData(4, Space.Classes, seed: 1);
        var y = Tensor.Zeros(4, Space.Classes);
        for (int i = 0; i < 4; i++) y[i, i % Space.Classes] = 1f;
        for (int k = 0; k < Space.Classes; k++) y[1, k] = 0f;
        for (int k = 0; k < positives; k++) y[1, k + 1] = 1f;
        var trainer = new Trainer(TinySupernet.Build(2), new FullNetworkStrategy(), new TrainerOptions { Epochs = 1, BatchSize = 4, Task = TaskKind.SingleLabel });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.AccumulateGradients(data.Features, y, 0));
        Assert.Contains($"example 1 of the batch has {positives} positive labels", e.Message);
        Assert.Contains("exactly one", e.Message);

        // Through Run: the multi-label test data (two labels per clip) is refused the same way.
        var run = new Trainer(TinySupernet.Build(2), new FullNetworkStrategy(), new TrainerOptions { Epochs = 1, BatchSize = 4, Task = TaskKind.SingleLabel });
        Assert.Contains("positive labels", Assert.Throws<InvalidOperationException>(() => run.Run(new TrainingTestData(8, Space.Classes, seed: 2))).Message);
    }

    [Fact]
    public void Top1_macro_f1_and_per_class_f1_match_a_hand_computed_case()
    {
        // Labels 0 0 1 1 2, four classes (class 3 never present, never predicted). Example 4 ties classes 0 and 1:
        // the first maximum wins, so the predictions are 0 1 1 1 0.
        float[] scores =
        [
            0.9f, 0.1f, 0.0f, 0.0f,
            0.2f, 0.7f, 0.1f, 0.0f,
            0.1f, 0.8f, 0.1f, 0.0f,
            0.0f, 0.6f, 0.3f, 0.1f,
            0.7f, 0.7f, 0.2f, 0.1f,
        ];
        float[] targets =
        [
            1, 0, 0, 0,
            1, 0, 0, 0,
            0, 1, 0, 0,
            0, 1, 0, 0,
            0, 0, 1, 0,
        ];
        var report = ClassificationMetrics.Evaluate(scores, targets, 4);
        Assert.True(report.IsSingleLabel);
        Assert.Equal(5, report.Examples);
        Assert.Equal(0.6, report.Top1Accuracy, 12); // 3 of 5
        // F1 = 2 TP / (predicted + actual): class 0: 2*1/(2+2) = 0.5; class 1: 2*2/(3+2) = 0.8; class 2: 0/(0+1) = 0.
        Assert.Equal(4, report.F1PerClass.Length);
        Assert.Equal(0.5, report.F1PerClass[0], 12);
        Assert.Equal(0.8, report.F1PerClass[1], 12);
        Assert.Equal(0.0, report.F1PerClass[2], 12);
        Assert.True(double.IsNaN(report.F1PerClass[3]));
        Assert.Equal((0.5 + 0.8 + 0.0) / 3, report.MacroF1, 12); // the absent class is skipped, not counted as 0
        Assert.Contains("top-1 0.6000", report.ToString());
    }

    [Fact]
    public void Multi_label_targets_give_nan_top1_and_f1()
    {
        float[] scores = [0.9f, 0.8f, 0.1f, 0.2f, 0.3f, 0.7f];
        float[] targets = [1, 1, 0, 0, 0, 1]; // row 0 has two labels
        var report = ClassificationMetrics.Evaluate(scores, targets, 3);
        Assert.False(report.IsSingleLabel);
        Assert.True(double.IsNaN(report.Top1Accuracy));
        Assert.True(double.IsNaN(report.MacroF1));
        Assert.Empty(report.F1PerClass);
        Assert.False(double.IsNaN(report.MeanAveragePrecision));
        Assert.DoesNotContain("top-1", report.ToString());
        Assert.False(ClassificationMetrics.IsSingleLabel(new float[] { 0, 0, 0, 1, 0, 0 }, 3)); // a row with no label
        Assert.True(ClassificationMetrics.IsSingleLabel(new float[] { 0, 0, 1, 1, 0, 0 }, 3));
    }
}
