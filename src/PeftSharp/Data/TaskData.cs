using PeftSharp.Models;
using PeftSharp.Tokenization;

namespace PeftSharp.Data;

/// <summary>How data files are turned into examples.</summary>
public sealed record DataOptions(bool Pack = false, bool ReferenceIndentation = false, int? EvalMaxExamples = null);

/// <summary>A task's data, read and tokenized: training examples, and evaluation examples and generation cases.</summary>
public sealed record TaskData(
    TaskSpec Task,
    IReadOnlyList<EncodedExample> Train,
    IReadOnlyList<EncodedExample>? Eval,
    IReadOnlyList<GenerationCase>? EvalGeneration,
    IReadOnlyList<(int[] PromptIds, CommonsenseExample Example)>? EvalCommonsense,
    int NumLabels,
    IReadOnlyList<string>? LabelNames)
{
    /// <summary>Classification's default maximum length (as HF tokenizers' model_max_length for BERT-style models).</summary>
    const int ClassificationDefault = 512;

    /// <summary>
    /// The sequence length every data file of a run is cut to: <paramref name="requested"/> (default: the model's context; 512 for
    /// classification), never more than the model's context, so an over-long example is truncated with a warning
    /// instead of failing in the middle of a run.
    /// </summary>
    public static int MaxLength(int? requested, TaskSpec task, ModelConfig config)
    {
        if (requested is < 2) throw new InvalidOptionException("TrainSettings", "MaxLength", "≥ 2", requested);
        return Math.Min(requested ?? (task.IsClassification ? ClassificationDefault : config.ContextLength), config.ContextLength);
    }

    /// <summary>
    /// Reads and encodes the training data (none when <paramref name="trainPath"/> is null) and, when given, the evaluation
    /// data. Classification label counts come from <paramref name="numLabels"/> when known, else from the data.
    /// </summary>
    public static TaskData Prepare(TaskSpec task, string? trainPath, string? evalPath, ITextTokenizer tokenizer, int maxLength, DataOptions settings, Action<string> warn,
        int? numLabels = null)
    {
        if (task.IsClassification) return PrepareClassification(task, trainPath, evalPath, tokenizer, maxLength, settings.EvalMaxExamples, warn, numLabels);
        var trainExamples = trainPath is null ? [] : ReadCausal(task, trainPath);
        var evalExamples = evalPath is null ? null : Limit(ReadCausal(task, evalPath), settings.EvalMaxExamples);
        // Token ids are taken as they are: the tokenizer (and its special ids) is touched only when there is text.
        bool hasText = settings.Pack || trainExamples.Concat(evalExamples ?? []).Any(e => e is not TokenIdsExample);
        var options = new CausalLmEncodingOptions
        {
            Encode = text => tokenizer.Encode(text, addSpecialTokens: false),
            EosId = hasText ? tokenizer.EosTokenId ?? throw new PeftSharpException("the tokenizer defines no EOS token, which causal-LM training needs") : null,
            BosId = hasText && tokenizer.BosTokenId is { } bos && bos != tokenizer.EosTokenId ? bos : null,
            MaxLength = maxLength,
            LongSequences = LongSequencePolicy.Truncate,
            CommonsenseReferenceIndentation = settings.ReferenceIndentation,
            Warn = warn,
        };
        IReadOnlyList<EncodedExample> train = [];
        if (trainPath is not null)
            train = settings.Pack ? Packing.Pack(trainExamples, options, maxLength) : CausalLmEncoding.EncodeAll(trainExamples, options, trainPath);
        if (evalPath is null || evalExamples is null) return new TaskData(task, train, null, null, null, 0, null);

        IReadOnlyList<GenerationCase>? generation = null;
        IReadOnlyList<(int[], CommonsenseExample)>? commonsense = null;
        IReadOnlyList<EncodedExample>? lossExamples = null;
        switch (task.Kind)
        {
            case TaskKind.Commonsense:
                commonsense = evalExamples.Cast<CommonsenseExample>().Select(e => (CausalLmEncoding.EncodePrompt(e, options), e)).ToList();
                break;
            case TaskKind.E2E:
                var groups = E2EReader.ReadGroups(evalPath);
                generation = Limit(groups, settings.EvalMaxExamples).Select(g => new GenerationCase(CausalLmEncoding.EncodePrompt(g, options), g.References)).ToList();
                lossExamples = CausalLmEncoding.EncodeAll(evalExamples, options, evalPath);
                break;
            default:
                lossExamples = CausalLmEncoding.EncodeAll(evalExamples, options, evalPath);
                if (evalExamples.All(e => e is PromptCompletionExample { References: not null }))
                    generation = evalExamples.Cast<PromptCompletionExample>()
                        .Select(p => new GenerationCase(CausalLmEncoding.EncodePrompt(p, options), p.ForGeneration().References)).ToList();
                break;
        }
        return new TaskData(task, train, lossExamples, generation, commonsense, 0, null);
    }

    static IReadOnlyList<T> Limit<T>(IReadOnlyList<T> items, int? max) => max is { } m && m < items.Count ? items.Take(m).ToList() : items;

    static IReadOnlyList<Example> ReadCausal(TaskSpec task, string path) => task.Kind switch
    {
        TaskKind.Commonsense => CommonsenseReader.Read(path, task.SubTask),
        TaskKind.E2E => E2EReader.ReadPairs(path),
        _ when Path.GetExtension(path).Equals(".txt", StringComparison.OrdinalIgnoreCase) => PlainText.Read(path),
        _ => JsonlReader.Read(path) is { Format: not JsonlFormat.Classification } data
            ? data.Examples
            : throw new PeftSharpException($"{path}: classification rows, but the task is {task.Kind}; use the classification task"),
    };

    static TaskData PrepareClassification(TaskSpec task, string? trainPath, string? evalPath, ITextTokenizer tokenizer, int maxLength, int? evalMax, Action<string> warn,
        int? knownLabels)
    {
        IReadOnlyList<string>? names;
        int numLabels;
        IReadOnlyList<ClassificationExample> Read(string path, bool train)
        {
            if (task.Kind == TaskKind.Glue)
            {
                var glue = GlueTask.Get(task.SubTask!);
                return GlueReader.Read(glue, DataLocations.GlueSplit(path, glue, train), warn);
            }
            var data = JsonlReader.Read(path);
            if (data.Format != JsonlFormat.Classification)
                throw new PeftSharpException($"{path}: expected classification rows (sentence / sentence1 + sentence2, label), found {data.Format} rows");
            return data.Examples.Cast<ClassificationExample>().ToList();
        }
        var train = trainPath is null ? [] : Read(trainPath, train: true);
        var eval = evalPath is null ? null : Limit(Read(evalPath, train: false), evalMax);
        if (task.Kind == TaskKind.Glue)
        {
            var glue = GlueTask.Get(task.SubTask!);
            (names, numLabels) = (glue.IsRegression ? null : glue.Labels, glue.NumLabels);
        }
        else
        {
            var source = trainPath ?? evalPath!;
            names = DataLocations.LabelNames(source);
            var all = train.Concat(eval ?? []).Where(e => e.Label is not null).Select(e => e.Label!.Value).ToList();
            if (all.Count == 0) throw new PeftSharpException($"{source}: no labelled examples");
            bool regression = knownLabels == 1 || all.Any(l => l != Math.Floor(l) || l < 0);
            numLabels = regression ? 1 : knownLabels ?? names?.Count ?? (int)all.Max() + 1;
            if (!regression && all.Max() >= numLabels)
                throw new PeftSharpException($"{source}: label {all.Max()} is out of range for {numLabels} classes");
        }
        return new TaskData(task, Encode(train, tokenizer, maxLength, numLabels, trainPath ?? "", warn),
            eval is null ? null : Encode(eval, tokenizer, maxLength, numLabels, evalPath!, warn), null, null, numLabels, names);
    }

    static IReadOnlyList<EncodedExample> Encode(IReadOnlyList<ClassificationExample> examples, ITextTokenizer tokenizer, int maxLength, int numLabels, string source,
        Action<string> warn)
    {
        var result = new List<EncodedExample>(examples.Count);
        int truncated = 0, longest = 0, longestIndex = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (e.Label is null) throw new PeftSharpException($"{source}: example #{i + 1} has no label (unlabeled test files cannot be used for training or evaluation)");
            var pair = tokenizer.EncodePair(e.Text, e.TextPair);
            if (pair.InputIds.Count > maxLength)
            {
                truncated++;
                if (pair.InputIds.Count > longest) (longest, longestIndex) = (pair.InputIds.Count, i + 1);
                pair = tokenizer.EncodePair(e.Text, e.TextPair, maxLength);
            }
            result.Add(numLabels == 1
                ? new EncodedExample([.. pair.InputIds], TokenTypeIds: [.. pair.TokenTypeIds], Target: e.Label.Value)
                : new EncodedExample([.. pair.InputIds], TokenTypeIds: [.. pair.TokenTypeIds], ClassLabel: (int)e.Label.Value));
        }
        if (truncated > 0) warn(CausalLmEncoding.TruncationWarning(source, truncated, examples.Count, maxLength, longestIndex, longest));
        return result;
    }
}
