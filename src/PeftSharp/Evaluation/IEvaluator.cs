namespace PeftSharp.Evaluation;

/// <summary>Evaluates the model being trained; metric names without the "eval_" prefix.</summary>
public interface IEvaluator
{
    string PrimaryMetric { get; }
    bool HigherIsBetter { get; }
    /// <summary>How many examples the primary metric is computed over (reported next to it).</summary>
    int ExampleCount { get; }
    IReadOnlyDictionary<string, double> Evaluate();
}
