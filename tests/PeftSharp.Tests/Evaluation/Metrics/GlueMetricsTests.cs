using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class GlueMetricsTests
{
    private static readonly int[] Predictions = [1, 0, 1, 1, 0, 1, 0, 0];
    private static readonly int[] Labels = [1, 1, 1, 0, 0, 1, 0, 1];

    [Fact]
    public void Each_task_reports_its_official_metrics()
    {
        Assert.Equal(["matthews_correlation"], GlueMetrics.Compute("cola", Predictions, Labels).Keys);
        Assert.Equal(["accuracy", "f1"], GlueMetrics.Compute("MRPC", Predictions, Labels).Keys);
        Assert.Equal(["accuracy", "f1"], GlueMetrics.Compute("qqp", Predictions, Labels).Keys);
        foreach (var task in new[] { "sst2", "SST-2", "mnli", "mnli-m", "mnli-mm", "qnli", "rte", "wnli" })
            Assert.Equal(["accuracy"], GlueMetrics.Compute(task, Predictions, Labels).Keys);
        Assert.Equal(["pearson", "spearmanr"], GlueMetrics.Compute("sts-b", [1.0, 2, 3], [1.0, 3, 2]).Keys);
    }

    [Fact]
    public void Task_metrics_equal_the_underlying_metric_functions()
    {
        var mrpc = GlueMetrics.Compute("mrpc", Predictions, Labels);
        Assert.Equal(0.625, mrpc["accuracy"], 15);
        Assert.Equal(2.0 / 3.0, mrpc["f1"], 15);
        // Pearson([1,2,3],[1,3,2]): dx = (−1,0,1), dy = (−1,1,0) → 1 / sqrt(2·2) = 0.5; ranks are the values.
        var stsb = GlueMetrics.Compute("stsb", [1.0, 2, 3], [1.0, 3, 2]);
        Assert.Equal(0.5, stsb["pearson"], 14);
        Assert.Equal(0.5, stsb["spearmanr"], 14);
    }

    [Fact]
    public void Mnli_reports_matched_and_mismatched_accuracy()
    {
        var scores = GlueMetrics.Mnli([0, 1, 2, 2], [0, 1, 2, 0], [2, 2], [2, 1]);
        Assert.Equal(new MnliScores(0.75, 0.5), scores);
    }

    [Fact]
    public void Unknown_tasks_and_wrong_label_types_are_rejected_with_the_remedy()
    {
        var unknown = Assert.ThrowsAny<PeftSharpException>(() => GlueMetrics.Compute("squad", Predictions, Labels));
        Assert.Contains("cola", unknown.Message);
        var stsbAsClasses = Assert.ThrowsAny<PeftSharpException>(() => GlueMetrics.Compute("stsb", Predictions, Labels));
        Assert.Contains("regression", stsbAsClasses.Message);
        Assert.ThrowsAny<PeftSharpException>(() => GlueMetrics.Compute("rte", [1.0, 0.0], [1.0, 1.0]));
    }
}
