using PeftSharp.Data;

namespace PeftSharp.Evaluation.Evaluators;

/// <summary>Runs several evaluators; the first decides the primary metric. Later evaluators' metric names must not clash.</summary>
internal sealed class CompositeEvaluator(IEvaluator primary, params IEvaluator[] others) : IEvaluator
{
    public string PrimaryMetric => primary.PrimaryMetric;
    public bool HigherIsBetter => primary.HigherIsBetter;
    public int ExampleCount => primary.ExampleCount;

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var metrics = new Dictionary<string, double>(primary.Evaluate());
        foreach (var evaluator in others)
            foreach (var (name, value) in evaluator.Evaluate()) metrics[name] = value;
        return metrics;
    }
}
