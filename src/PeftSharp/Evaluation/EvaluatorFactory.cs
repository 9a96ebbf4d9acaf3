using PeftSharp.Evaluation.Evaluators;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using PeftSharp.Data;

namespace PeftSharp.Evaluation;

/// <summary>The evaluators a task's evaluation data calls for.</summary>
public static class EvaluatorFactory
{
    /// <summary>
    /// Classification: GLUE metrics or accuracy. Causal LM: commonsense accuracy (commonsense), loss and perplexity
    /// (when there are supervised examples), E2E metrics on generations (E2E groups, prompt rows with references).
    /// The first evaluator's metric is the primary one. Null when there is nothing to evaluate. <paramref name="progress"/>
    /// hears of every finished batch.
    /// </summary>
    public static IEvaluator? Build(IPretrainedModel model, ITextTokenizer tokenizer, TaskData data, GenerationOptions generation, int batchSize, int padId,
        EvaluationProgress? progress = null)
    {
        // Only generation reads the tokenizer: loss and classification evaluation on token ids need none. Evaluation is
        // reproducible: sampling (which a model's generation_config.json may ask for) uses seed 0 unless given.
        GenerationOptions Decoding() => generation with
        {
            EosTokenIds = generation.EosTokenIds ?? (tokenizer.EosTokenId is { } eos ? [eos] : null),
            PadTokenId = generation.PadTokenId ?? padId,
            Seed = generation.Seed ?? 0,
        };
        var evaluators = new List<IEvaluator>();
        switch (model)
        {
            case ISequenceClassificationModel classifier when data.Eval is not null:
                evaluators.Add(new ClassificationEvaluator(classifier, data.Eval, padId, batchSize, data.Task.Kind == TaskKind.Glue ? data.Task.SubTask : null, progress));
                break;
            case ICausalLanguageModel lm:
                // The task's own metric leads (commonsense accuracy, then E2E BLEU); the loss is the primary metric only of plain LM data.
                if (data.EvalCommonsense is not null) evaluators.Add(new CommonsenseEvaluator(lm, tokenizer, data.EvalCommonsense, Decoding(), batchSize, progress));
                if (data.EvalGeneration is not null) evaluators.Add(new GenerationEvaluator(lm, tokenizer, data.EvalGeneration, Decoding(), batchSize, progress));
                if (data.Eval is not null) evaluators.Add(new CausalLmLossEvaluator(lm, data.Eval, padId, batchSize, progress));
                break;
        }
        if (evaluators.Count == 0) return null;
        var evaluator = evaluators.Count == 1 ? evaluators[0] : new CompositeEvaluator(evaluators[0], [.. evaluators.Skip(1)]);
        return progress is null ? evaluator : new ReportingEvaluator(evaluator, evaluators.Sum(e => (long)e.ExampleCount), progress);
    }
}
