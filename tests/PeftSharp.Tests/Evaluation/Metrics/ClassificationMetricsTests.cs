using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class ClassificationMetricsTests
{
    // predictions vs labels, pair by pair: TP FN TP FP TN TP TN FN → TP 3, FP 1, FN 2, TN 2.
    private static readonly int[] Predictions = [1, 0, 1, 1, 0, 1, 0, 0];
    private static readonly int[] Labels = [1, 1, 1, 0, 0, 1, 0, 1];

    [Fact]
    public void Accuracy_is_the_fraction_of_equal_pairs()
    {
        // (TP + TN) / n = (3 + 2) / 8
        Assert.Equal(0.625, ClassificationMetrics.Accuracy(Predictions, Labels), 15);
    }

    [Fact]
    public void F1_counts_class_1_as_positive()
    {
        // 2·TP / (2·TP + FP + FN) = 6 / (6 + 1 + 2) = 2/3
        Assert.Equal(2.0 / 3.0, ClassificationMetrics.F1(Predictions, Labels), 15);
    }

    [Fact]
    public void Matthews_correlation_of_a_binary_confusion_matrix()
    {
        // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (6 − 2) / sqrt(4·5·3·4) = 4 / sqrt(240)
        Assert.Equal(4 / Math.Sqrt(240), ClassificationMetrics.MatthewsCorrelation(Predictions, Labels), 14);
    }

    [Fact]
    public void Matthews_correlation_of_three_classes_uses_the_multiclass_formula()
    {
        // labels [0,0,1,1,2,2], predictions [0,1,1,1,2,0]: correct c = 4, n = 6,
        // true counts t = (2,2,2), predicted counts p = (2,3,1):
        // (c·n − Σp·t) / sqrt((n² − Σp²)(n² − Σt²)) = (24 − 12) / sqrt((36 − 14)(36 − 12)) = 12 / sqrt(528)
        int[] labels = [0, 0, 1, 1, 2, 2], predictions = [0, 1, 1, 1, 2, 0];
        Assert.Equal(12 / Math.Sqrt(528), ClassificationMetrics.MatthewsCorrelation(predictions, labels), 14);
    }

    [Fact]
    public void Metrics_match_scikit_learn_on_the_fixture_cases()
    {
        foreach (var c in MetricFixtures.Load("classification.json").GetProperty("classification").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int[] predictions = c.GetProperty("predictions").Ints(), labels = c.GetProperty("labels").Ints();
            MetricFixtures.AssertClose(c.GetProperty("accuracy").GetDouble(), ClassificationMetrics.Accuracy(predictions, labels), name + " accuracy", 1e-12);
            MetricFixtures.AssertClose(c.GetProperty("matthews_correlation").GetDouble(), ClassificationMetrics.MatthewsCorrelation(predictions, labels), name + " mcc", 1e-12);
            if (c.GetProperty("f1").ValueKind != System.Text.Json.JsonValueKind.Null)
                MetricFixtures.AssertClose(c.GetProperty("f1").GetDouble(), ClassificationMetrics.F1(predictions, labels), name + " f1", 1e-12);
        }
    }

    [Fact]
    public void Constant_predictions_give_a_Matthews_correlation_of_0()
    {
        // n² − Σp² = 16 − 16 = 0: undefined, reported as 0 like scikit-learn.
        Assert.Equal(0.0, ClassificationMetrics.MatthewsCorrelation([1, 1, 1, 1], [0, 1, 0, 1]));
    }

    [Fact]
    public void F1_without_any_positive_is_0()
    {
        Assert.Equal(0.0, ClassificationMetrics.F1([0, 0, 0], [0, 0, 0]));
    }

    [Fact]
    public void F1_rejects_labels_other_than_0_and_1()
    {
        var error = Assert.ThrowsAny<PeftSharpException>(() => ClassificationMetrics.F1([0, 2], [0, 1]));
        Assert.Contains("predictions'[1] is 2", error.Message);
    }

    [Fact]
    public void Lists_of_different_length_are_rejected_with_both_counts()
    {
        var error = Assert.ThrowsAny<PeftSharpException>(() => ClassificationMetrics.Accuracy([1, 0, 1], [1, 0]));
        Assert.Contains("3", error.Message);
        Assert.Contains("2", error.Message);
    }

    [Fact]
    public void Empty_and_null_lists_are_rejected()
    {
        Assert.ThrowsAny<PeftSharpException>(() => ClassificationMetrics.Accuracy([], []));
        Assert.ThrowsAny<PeftSharpException>(() => ClassificationMetrics.MatthewsCorrelation(null!, [1]));
    }
}
