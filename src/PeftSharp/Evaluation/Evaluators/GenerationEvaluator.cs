using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Evaluation.Metrics;
using PeftSharp.Models;
using PeftSharp.Tokenization;

namespace PeftSharp.Evaluation.Evaluators;

/// <summary>
/// Generates for each prompt and scores the outputs with the E2E NLG metrics (BLEU, NIST, METEOR, ROUGE-L, CIDEr).
/// Outputs are cut at EOS and at the first blank line, as the LoRA E2E setup does.
/// </summary>
public sealed class GenerationEvaluator(ICausalLanguageModel model, ITextTokenizer tokenizer, IReadOnlyList<GenerationCase> cases, GenerationOptions options, int batchSize,
    EvaluationProgress? progress = null) : IEvaluator
{
    public string PrimaryMetric => "bleu";
    public bool HigherIsBetter => true;
    public int ExampleCount => cases.Count;

    /// <summary>Generated texts, one per case.</summary>
    public IReadOnlyList<string> Generate() => Generation.GenerateTexts(model, tokenizer, cases.Select(c => c.PromptIds).ToList(), options, batchSize, progress);

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var hypotheses = Generate();
        var scores = E2EMetrics.Score(hypotheses, cases.Select(c => c.References).ToList());
        return new Dictionary<string, double>
        {
            ["bleu"] = scores.Bleu, ["nist"] = scores.Nist, ["meteor"] = scores.Meteor, ["rouge_l"] = scores.RougeL, ["cider"] = scores.Cider,
        };
    }
}

/// <summary>Commonsense reasoning: generate, extract the task's answer pattern, accuracy per task and their mean.</summary>
internal sealed class CommonsenseEvaluator(ICausalLanguageModel model, ITextTokenizer tokenizer, IReadOnlyList<(int[] PromptIds, CommonsenseExample Example)> cases,
    GenerationOptions options, int batchSize, EvaluationProgress? progress = null) : IEvaluator
{
    public string PrimaryMetric => "accuracy";
    public bool HigherIsBetter => true;
    public int ExampleCount => cases.Count;

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var outputs = Generation.GenerateTexts(model, tokenizer, cases.Select(c => c.PromptIds).ToList(), options, batchSize, progress);
        var results = cases.Select((c, i) =>
        {
            var task = CommonsenseTask.Get(c.Example.Task ?? throw new PeftSharpException("commonsense evaluation examples need a task name (use --task commonsense/<task>)"));
            return new CommonsenseResult(task.Name, task.ExtractAnswer(outputs[i]), c.Example.Answer);
        });
        var scores = CommonsenseMetrics.Compute(results);
        var metrics = scores.PerTask.ToDictionary(p => $"accuracy_{p.Key}", p => p.Value);
        metrics["accuracy"] = scores.Average;
        return metrics;
    }
}

internal static class Generation
{
    /// <summary>Batched generation, decoded and cut at the first blank line.</summary>
    public static IReadOnlyList<string> GenerateTexts(ICausalLanguageModel model, ITextTokenizer tokenizer, IReadOnlyList<int[]> prompts, GenerationOptions options, int batchSize,
        EvaluationProgress? progress)
    {
        var texts = new List<string>(prompts.Count);
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            var chunk = prompts.Skip(start).Take(batchSize).Select(p => (IReadOnlyList<int>)p).ToList();
            foreach (var ids in TextGenerator.Generate(model, chunk, options))
            {
                var text = tokenizer.Decode(ids, skipSpecialTokens: true);
                int blank = text.IndexOf("\n\n", StringComparison.Ordinal);
                texts.Add((blank >= 0 ? text[..blank] : text).Trim());
            }
            progress?.Advance(chunk.Count);
        }
        return texts;
    }
}
