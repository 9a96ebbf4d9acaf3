namespace PeftSharp.Evaluation.Metrics;

/// <summary>Accuracy on the matched and mismatched MNLI validation sets.</summary>
/// <param name="MatchedAccuracy">Accuracy on validation_matched (MNLI-m).</param>
/// <param name="MismatchedAccuracy">Accuracy on validation_mismatched (MNLI-mm).</param>
public sealed record MnliScores(double MatchedAccuracy, double MismatchedAccuracy);

/// <summary>
/// The metrics each GLUE task reports, named as HuggingFace <c>evaluate</c>'s "glue" metric names
/// them: CoLA <c>matthews_correlation</c>; STS-B <c>pearson</c> and <c>spearmanr</c>; MRPC and QQP
/// <c>accuracy</c> and <c>f1</c>; SST-2, MNLI (-m/-mm), QNLI, RTE, WNLI <c>accuracy</c>.
/// Values are fractions, not percentages.
/// </summary>
public static class GlueMetrics
{
    /// <summary>Task names accepted by <see cref="Compute(string, IReadOnlyList{int}, IReadOnlyList{int})"/> (case-insensitive; "sst-2", "sts-b", "mnli_matched", "mnli_mismatched" also accepted).</summary>
    public static IReadOnlyList<string> Tasks { get; } =
        ["cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "mnli-m", "mnli-mm", "qnli", "rte", "wnli"];

    /// <summary>Metrics of a classification task from integer class predictions and labels.</summary>
    /// <exception cref="PeftSharpException">Unknown task, STS-B (use the <c>double</c> overload), or bad lists.</exception>
    public static IReadOnlyDictionary<string, double> Compute(string task, IReadOnlyList<int> predictions, IReadOnlyList<int> labels)
    {
        string name = Normalize(task);
        return name switch
        {
            "cola" => new Dictionary<string, double>
            {
                ["matthews_correlation"] = ClassificationMetrics.MatthewsCorrelation(predictions, labels),
            },
            "mrpc" or "qqp" => new Dictionary<string, double>
            {
                ["accuracy"] = ClassificationMetrics.Accuracy(predictions, labels),
                ["f1"] = ClassificationMetrics.F1(predictions, labels),
            },
            "stsb" => throw new PeftSharpException(
                "GLUE task 'stsb' is a regression task: pass double scores to GlueMetrics.Compute(task, IReadOnlyList<double>, IReadOnlyList<double>)."),
            _ => new Dictionary<string, double> { ["accuracy"] = ClassificationMetrics.Accuracy(predictions, labels) },
        };
    }

    /// <summary>Metrics of STS-B (<c>pearson</c>, <c>spearmanr</c>) from predicted and gold similarity scores.</summary>
    /// <exception cref="PeftSharpException">A task other than STS-B, or bad lists.</exception>
    public static IReadOnlyDictionary<string, double> Compute(string task, IReadOnlyList<double> predictions, IReadOnlyList<double> labels)
    {
        string name = Normalize(task);
        if (name != "stsb")
            throw new PeftSharpException(
                $"GLUE task '{task}' is a classification task: pass integer class ids to GlueMetrics.Compute(task, IReadOnlyList<int>, IReadOnlyList<int>).");
        return new Dictionary<string, double>
        {
            ["pearson"] = RegressionMetrics.Pearson(predictions, labels),
            ["spearmanr"] = RegressionMetrics.Spearman(predictions, labels),
        };
    }

    /// <summary>MNLI accuracy on both validation sets at once.</summary>
    /// <exception cref="PeftSharpException">Null, empty or differently sized lists.</exception>
    public static MnliScores Mnli(IReadOnlyList<int> matchedPredictions, IReadOnlyList<int> matchedLabels,
        IReadOnlyList<int> mismatchedPredictions, IReadOnlyList<int> mismatchedLabels) =>
        new(ClassificationMetrics.Accuracy(matchedPredictions, matchedLabels),
            ClassificationMetrics.Accuracy(mismatchedPredictions, mismatchedLabels));

    private static string Normalize(string task)
    {
        if (task is null) throw new PeftSharpException("GLUE task name is null.");
        string name = task.Trim().ToLowerInvariant() switch
        {
            "sst-2" => "sst2",
            "sts-b" => "stsb",
            "mnli_matched" => "mnli-m",
            "mnli_mismatched" => "mnli-mm",
            var other => other,
        };
        if (!Tasks.Contains(name))
            throw new PeftSharpException($"Unknown GLUE task '{task}'; expected one of: {string.Join(", ", Tasks)}.");
        return name;
    }
}
