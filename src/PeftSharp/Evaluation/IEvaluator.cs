namespace PeftSharp.Evaluation;

/// <summary>Evaluates the model being trained; metric names without the "eval_" prefix.</summary>
public interface IEvaluator
{
    string PrimaryMetric { get; }
    bool HigherIsBetter { get; }
    IReadOnlyDictionary<string, double> Evaluate();
}
