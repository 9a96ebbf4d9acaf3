namespace PeftSharp.Evaluation.Metrics;

/// Argument checks shared by the metrics: every failure is a PeftSharpException naming the
/// metric, the argument and what was expected.
internal static class MetricInput
{
    public static void CheckPaired<TA, TB>(string metric, IReadOnlyList<TA>? first, string firstName,
        IReadOnlyList<TB>? second, string secondName, int minimumCount = 1)
    {
        if (first is null) throw new PeftSharpException($"{metric}: '{firstName}' is null.");
        if (second is null) throw new PeftSharpException($"{metric}: '{secondName}' is null.");
        if (first.Count != second.Count)
            throw new PeftSharpException(
                $"{metric}: '{firstName}' has {first.Count} values but '{secondName}' has {second.Count}; they must be paired one to one.");
        if (first.Count < minimumCount)
            throw new PeftSharpException(minimumCount == 1
                ? $"{metric}: no values to score ('{firstName}' and '{secondName}' are empty)."
                : $"{metric}: needs at least {minimumCount} pairs, got {first.Count}.");
    }

    public static void CheckFinite(string metric, IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new PeftSharpException($"{metric}: '{name}'[{i}] is {values[i]}; expected a finite number.");
    }
}
