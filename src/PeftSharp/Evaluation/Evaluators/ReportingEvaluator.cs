namespace PeftSharp.Evaluation.Evaluators;

/// <summary>
/// Starts the progress count of an evaluation: <paramref name="work"/> examples in all (a generation evaluation that also
/// computes the loss goes over its examples twice); the evaluators inside advance it batch by batch.
/// </summary>
internal sealed class ReportingEvaluator(IEvaluator inner, long work, EvaluationProgress progress) : IEvaluator
{
    public string PrimaryMetric => inner.PrimaryMetric;
    public bool HigherIsBetter => inner.HigherIsBetter;
    public int ExampleCount => inner.ExampleCount;

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        progress.Begin(work);
        return inner.Evaluate();
    }
}
