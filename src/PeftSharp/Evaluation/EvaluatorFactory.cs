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
    /// The first evaluator's metric is the primary one. Null when there is nothing to evaluate.
    /// </summary>
    public static IEvaluator? Build(IPretrainedModel model, ITextTokenizer tokenizer, TaskData data, GenerationOptions generation, int batchSize, int padId)
    {
        // Only generation reads the tokenizer: loss and classification evaluation on token ids need none.
        GenerationOptions Decoding() => generation with { EosTokenIds = generation.EosTokenIds ?? (tokenizer.EosTokenId is { } eos ? [eos] : null), PadTokenId = padId };
        var evaluators = new List<IEvaluator>();
        switch (model)
        {
            case ISequenceClassificationModel classifier when data.Eval is not null:
                evaluators.Add(new ClassificationEvaluator(classifier, data.Eval, padId, batchSize, data.Task.Kind == TaskKind.Glue ? data.Task.SubTask : null));
                break;
            case ICausalLanguageModel lm:
                // The task's own metric leads (commonsense accuracy, then E2E BLEU); the loss is the primary metric only of plain LM data.
                if (data.EvalCommonsense is not null) evaluators.Add(new CommonsenseEvaluator(lm, tokenizer, data.EvalCommonsense, Decoding(), batchSize));
                if (data.EvalGeneration is not null) evaluators.Add(new GenerationEvaluator(lm, tokenizer, data.EvalGeneration, Decoding(), batchSize));
                if (data.Eval is not null) evaluators.Add(new CausalLmLossEvaluator(lm, data.Eval, padId, batchSize));
                break;
        }
        return evaluators.Count switch { 0 => null, 1 => evaluators[0], _ => new CompositeEvaluator(evaluators[0], [.. evaluators.Skip(1)]) };
    }
}
