namespace PeftSharp.Evaluation.Metrics;

/// <summary>
/// Classification metrics with the definitions of scikit-learn (as used by the GLUE evaluation
/// of HuggingFace): accuracy, binary F1 for the positive class 1 (MRPC, QQP) and Matthews
/// correlation (CoLA). All return a fraction in [0, 1] (MCC in [-1, 1]), not a percentage.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of positions where the prediction equals the label.</summary>
    /// <exception cref="PeftSharpException">Null, empty or differently sized lists.</exception>
    public static double Accuracy(IReadOnlyList<int> predictions, IReadOnlyList<int> labels)
    {
        MetricInput.CheckPaired(nameof(Accuracy), predictions, nameof(predictions), labels, nameof(labels));
        int correct = 0;
        for (int i = 0; i < labels.Count; i++)
            if (predictions[i] == labels[i]) correct++;
        return (double)correct / labels.Count;
    }

    /// <summary>
    /// Binary F1 of the positive class 1: 2·TP / (2·TP + FP + FN). Values must be 0 or 1.
    /// When there is no positive label and no positive prediction the score is 0, as scikit-learn's
    /// <c>f1_score</c> returns with its default <c>zero_division</c>.
    /// </summary>
    /// <exception cref="PeftSharpException">Null, empty or differently sized lists, or a value other than 0 or 1.</exception>
    public static double F1(IReadOnlyList<int> predictions, IReadOnlyList<int> labels)
    {
        MetricInput.CheckPaired(nameof(F1), predictions, nameof(predictions), labels, nameof(labels));
        long truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            bool predicted = IsPositive(predictions[i], nameof(predictions), i);
            bool actual = IsPositive(labels[i], nameof(labels), i);
            if (predicted && actual) truePositives++;
            else if (predicted) falsePositives++;
            else if (actual) falseNegatives++;
        }
        long denominator = 2 * truePositives + falsePositives + falseNegatives;
        return denominator == 0 ? 0.0 : 2.0 * truePositives / denominator;
    }

    /// <summary>
    /// Matthews correlation coefficient, multi-class form (Gorodkin's R_K, as scikit-learn's
    /// <c>matthews_corrcoef</c>); for two classes it is the usual
    /// (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)). Returns 0 when the denominator is 0
    /// (all predictions or all labels in one class), as scikit-learn does.
    /// </summary>
    /// <exception cref="PeftSharpException">Null, empty or differently sized lists.</exception>
    public static double MatthewsCorrelation(IReadOnlyList<int> predictions, IReadOnlyList<int> labels)
    {
        MetricInput.CheckPaired(nameof(MatthewsCorrelation), predictions, nameof(predictions), labels, nameof(labels));
        var predictedCount = new Dictionary<int, long>();
        var trueCount = new Dictionary<int, long>();
        long correct = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            predictedCount[predictions[i]] = predictedCount.GetValueOrDefault(predictions[i]) + 1;
            trueCount[labels[i]] = trueCount.GetValueOrDefault(labels[i]) + 1;
            if (predictions[i] == labels[i]) correct++;
        }
        double n = labels.Count;
        double predictedTimesTrue = 0, predictedSquared = 0, trueSquared = 0;
        foreach (var (label, count) in predictedCount)
        {
            predictedSquared += (double)count * count;
            predictedTimesTrue += (double)count * trueCount.GetValueOrDefault(label);
        }
        foreach (var count in trueCount.Values) trueSquared += (double)count * count;

        double covariancePredictedTrue = correct * n - predictedTimesTrue;
        double variancePredicted = n * n - predictedSquared;
        double varianceTrue = n * n - trueSquared;
        if (variancePredicted * varianceTrue == 0) return 0.0;
        return covariancePredictedTrue / Math.Sqrt(variancePredicted * varianceTrue);
    }

    private static bool IsPositive(int value, string name, int index) => value switch
    {
        1 => true,
        0 => false,
        _ => throw new PeftSharpException($"F1: '{name}'[{index}] is {value}; binary F1 expects 0 or 1 (positive class 1)."),
    };
}
