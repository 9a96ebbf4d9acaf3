using PeftSharp.Data;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Evaluators;

/// <summary>Evaluation loss (mean over all supervised tokens of the set) and its perplexity.</summary>
public sealed class CausalLmLossEvaluator(ICausalLanguageModel model, IReadOnlyList<EncodedExample> examples, int padTokenId, int batchSize,
    EvaluationProgress? progress = null) : IEvaluator
{
    public string PrimaryMetric => "loss";
    public bool HigherIsBetter => false;
    public int ExampleCount => examples.Count;

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        double totalLoss = 0;
        long totalTokens = 0;
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = examples.Skip(start).Take(batchSize).ToList();
            long tokens = chunk.Sum(e => (long)e.SupervisedTokens);
            if (tokens > 0)
            {
                var batch = Collator.Collate(chunk, padTokenId, model.Module.parameters().First().device);
                totalLoss += Losses.CausalLm(model.Forward(batch.InputIds, batch.AttentionMask), batch.Labels!).item<float>() * tokens;
                totalTokens += tokens;
            }
            progress?.Advance(chunk.Count);
        }
        if (totalTokens == 0) throw new PeftSharpException("the evaluation data has no supervised tokens");
        double loss = totalLoss / totalTokens;
        return new Dictionary<string, double> { ["loss"] = loss, ["perplexity"] = Math.Exp(Math.Min(loss, 700)) };
    }
}
