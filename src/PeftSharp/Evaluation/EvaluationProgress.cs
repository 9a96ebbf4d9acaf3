namespace PeftSharp.Evaluation;

/// <summary>
/// Counts the examples an evaluation has finished, for progress displays: after every batch the callback gets
/// (examples done, examples in this evaluation). Evaluations can take minutes (generation), so they report as they go.
/// </summary>
public sealed class EvaluationProgress(Action<long, long> report)
{
    private long done, total;

    /// <summary>An evaluation of <paramref name="examples"/> examples starts.</summary>
    internal void Begin(long examples)
    {
        (done, total) = (0, examples);
        report(done, total);
    }

    /// <summary>A batch of <paramref name="examples"/> examples is done.</summary>
    internal void Advance(int examples)
    {
        done += examples;
        report(done, total);
    }
}
