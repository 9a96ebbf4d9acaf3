namespace PeftSharp.Evaluation.Metrics;

/// <summary>One scored commonsense question.</summary>
/// <param name="Task">The task it belongs to, e.g. <c>boolq</c>, <c>piqa</c>, <c>hellaswag</c>.</param>
/// <param name="Predicted">The answer extracted from the generation (e.g. <c>answer2</c>), or null when none was found.</param>
/// <param name="Answer">The gold answer of the data set.</param>
public sealed record CommonsenseResult(string Task, string? Predicted, string Answer);

/// <summary>Accuracy per task and their unweighted mean (the "Avg." column of the DoRA / LLM-Adapters tables).</summary>
/// <param name="PerTask">Accuracy of each task, in the order tasks first appear in the input.</param>
/// <param name="Average">Mean of the per-task accuracies (each task counts once, whatever its size).</param>
public sealed record CommonsenseScores(IReadOnlyList<KeyValuePair<string, double>> PerTask, double Average);

/// <summary>
/// Commonsense-reasoning accuracy as in the LLM-Adapters evaluation: a question is correct when
/// the extracted answer equals the gold answer exactly (ordinal comparison); a missing extraction
/// counts as wrong. Values are fractions, not percentages.
/// </summary>
public static class CommonsenseMetrics
{
    /// <summary>Accuracy per task and the average over tasks.</summary>
    /// <exception cref="PeftSharpException">No results, or a result with a null task or answer.</exception>
    public static CommonsenseScores Compute(IEnumerable<CommonsenseResult> results)
    {
        if (results is null) throw new PeftSharpException("Commonsense accuracy: 'results' is null.");
        var tally = new Dictionary<string, (int Correct, int Total)>(StringComparer.Ordinal);
        var order = new List<string>();
        int index = 0;
        foreach (var result in results)
        {
            if (result?.Task is null || result.Answer is null)
                throw new PeftSharpException($"Commonsense accuracy: result {index} has no task or no gold answer.");
            if (!tally.TryGetValue(result.Task, out var counts)) order.Add(result.Task);
            bool correct = result.Predicted is not null && string.Equals(result.Predicted, result.Answer, StringComparison.Ordinal);
            tally[result.Task] = (counts.Correct + (correct ? 1 : 0), counts.Total + 1);
            index++;
        }
        if (order.Count == 0) throw new PeftSharpException("Commonsense accuracy: no results to score.");
        var perTask = order.Select(task => new KeyValuePair<string, double>(task, (double)tally[task].Correct / tally[task].Total)).ToList();
        return new CommonsenseScores(perTask, perTask.Average(pair => pair.Value));
    }
}
