using PeftSharp.Data;
using PeftSharp.Evaluation.Metrics;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Evaluators;

/// <summary>
/// Accuracy-type metrics of a sequence classifier: GLUE's per-task metrics when <paramref name="glueTask"/> is given
/// (CoLA Matthews correlation, STS-B Pearson/Spearman, MRPC/QQP accuracy and F1, others accuracy), else accuracy.
/// </summary>
public sealed class ClassificationEvaluator(ISequenceClassificationModel model, IReadOnlyList<EncodedExample> examples, int padTokenId, int batchSize, string? glueTask = null,
    EvaluationProgress? progress = null) : IEvaluator
{
    public string PrimaryMetric => glueTask?.ToLowerInvariant() switch
    {
        "cola" => "matthews_correlation",
        "stsb" or "sts-b" => "pearson",
        _ => "accuracy",
    };

    public bool HigherIsBetter => true;
    public int ExampleCount => examples.Count;

    /// <summary>Predicted class ids (or regression values) for every example, in order.</summary>
    public IReadOnlyList<double> Predict()
    {
        var predictions = new List<double>(examples.Count);
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = Collator.Collate(examples.Skip(start).Take(batchSize).ToList(), padTokenId, model.Module.parameters().First().device);
            var logits = model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            var values = model.NumLabels == 1 ? logits.reshape(-1).to(ScalarType.Float64) : logits.argmax(-1).to(ScalarType.Float64);
            predictions.AddRange(values.cpu().data<double>().ToArray());
            progress?.Advance((int)values.shape[0]);
        }
        return predictions;
    }

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var predictions = Predict();
        if (model.NumLabels == 1)
        {
            var targets = examples.Select(e => e.Target ?? throw new PeftSharpException("regression evaluation needs numeric labels")).ToList();
            return glueTask is not null
                ? GlueMetrics.Compute(glueTask, predictions, targets)
                : new Dictionary<string, double> { ["pearson"] = RegressionMetrics.Pearson(predictions, targets), ["spearmanr"] = RegressionMetrics.Spearman(predictions, targets) };
        }
        var predicted = predictions.Select(p => (int)p).ToList();
        var labels = examples.Select(e => e.ClassLabel ?? throw new PeftSharpException("classification evaluation needs labels")).ToList();
        return glueTask is not null
            ? GlueMetrics.Compute(glueTask, predicted, labels)
            : new Dictionary<string, double> { ["accuracy"] = ClassificationMetrics.Accuracy(predicted, labels) };
    }
}
