using PeftSharp.Models;
using PeftSharp.Tokenization;

namespace PeftSharp.Data;

/// <summary>
/// How data files are turned into examples. <paramref name="EvalSplit"/>: without evaluation data, this fraction of the
/// training examples is held out for evaluation (the same examples every run).
/// </summary>
public sealed record DataOptions(bool Pack = false, bool ReferenceIndentation = false, int? EvalMaxExamples = null, double? EvalSplit = null);

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
    private const int ClassificationDefault = 512;

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
    /// data (or a held-out slice of the training data, <see cref="DataOptions.EvalSplit"/>). Classification labels follow
    /// labels.json next to the data, else <paramref name="labelNames"/> / <paramref name="numLabels"/> (a trained classifier's
    /// classes, from what <paramref name="classesFrom"/> names in errors) when known, else the training data.
    /// </summary>
    public static TaskData Prepare(TaskSpec task, string? trainPath, string? evalPath, ITextTokenizer tokenizer, int maxLength, DataOptions settings, Action<string> warn,
        int? numLabels = null, IReadOnlyList<string>? labelNames = null, string? classesFrom = null)
    {
        if (task.IsClassification)
            return PrepareClassification(task, trainPath, evalPath, tokenizer, maxLength, settings, warn, new KnownClasses(numLabels, labelNames, classesFrom ?? "the trained classifier"));
        var trainExamples = trainPath is null ? [] : ReadCausal(task, trainPath);
        var evalExamples = evalPath is null ? null : ReadCausal(task, evalPath);
        if (settings.EvalSplit is { } fraction)
        {
            if (task.Kind != TaskKind.CausalLm)
                throw new InvalidOptionException("TrainSettings", "EvalSplit", $"used with JSONL, text or classification data only ({task.Kind} data needs its own evaluation file)", fraction);
            (trainExamples, evalExamples) = HeldOutSplit.Apply(trainExamples, fraction, trainPath!);
        }
        if (evalExamples is not null) evalExamples = Limit(evalExamples, settings.EvalMaxExamples);
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
        var train = trainPath is null ? []
            : settings.Pack ? Packing.Pack(trainExamples, options, maxLength) : CausalLmEncoding.EncodeAll(trainExamples, options, trainPath);
        if (evalExamples is null) return new TaskData(task, train, null, null, null, 0, null);

        var evalSource = evalPath ?? trainPath!;
        IReadOnlyList<GenerationCase>? generation = null;
        IReadOnlyList<(int[], CommonsenseExample)>? commonsense = null;
        IReadOnlyList<EncodedExample>? lossExamples = null;
        switch (task.Kind)
        {
            case TaskKind.Commonsense:
                commonsense = evalExamples.Cast<CommonsenseExample>().Select(e => (CausalLmEncoding.EncodePrompt(e, options), e)).ToList();
                break;
            case TaskKind.E2E:
                var groups = E2EReader.ReadGroups(evalSource);
                generation = Limit(groups, settings.EvalMaxExamples).Select(g => new GenerationCase(CausalLmEncoding.EncodePrompt(g, options), g.References)).ToList();
                lossExamples = CausalLmEncoding.EncodeAll(evalExamples, options, evalSource);
                break;
            default:
                lossExamples = CausalLmEncoding.EncodeAll(evalExamples, options, evalSource);
                if (evalExamples.All(e => e is PromptCompletionExample { References: not null }))
                    generation = evalExamples.Cast<PromptCompletionExample>()
                        .Select(p => new GenerationCase(CausalLmEncoding.EncodePrompt(p, options), p.ForGeneration().References)).ToList();
                break;
        }
        return new TaskData(task, train, lossExamples, generation, commonsense, 0, null);
    }

    private static IReadOnlyList<T> Limit<T>(IReadOnlyList<T> items, int? max) => max is { } m && m < items.Count ? items.Take(m).ToList() : items;

    private static IReadOnlyList<Example> ReadCausal(TaskSpec task, string path) => task.Kind switch
    {
        TaskKind.Commonsense => CommonsenseReader.Read(path, task.SubTask),
        TaskKind.E2E => E2EReader.ReadPairs(path),
        _ when Path.GetExtension(path).Equals(".txt", StringComparison.OrdinalIgnoreCase) => PlainText.Read(path),
        _ => JsonlReader.Read(path) is { Format: not JsonlFormat.Classification } data
            ? data.Examples
            : throw new PeftSharpException($"{path}: classification rows, but the task is {task.Kind}; use the classification task"),
    };

    /// <summary>The classes of the classifier being evaluated, if known, and what holds them (for messages).</summary>
    private sealed record KnownClasses(int? Count, IReadOnlyList<string>? Names, string From);

    private static TaskData PrepareClassification(TaskSpec task, string? trainPath, string? evalPath, ITextTokenizer tokenizer, int maxLength, DataOptions settings, Action<string> warn,
        KnownClasses known)
    {
        IReadOnlyList<ClassificationExample> train, eval;
        IReadOnlyList<string>? names;
        int numLabels;
        if (task.Kind == TaskKind.Glue)
        {
            var glue = GlueTask.Get(task.SubTask!);
            IReadOnlyList<ClassificationExample> Glue(string path, bool isTrain) => GlueReader.Read(glue, DataLocations.GlueSplit(path, glue, isTrain), warn);
            train = trainPath is null ? [] : Glue(trainPath, true);
            eval = evalPath is null ? [] : Glue(evalPath, false);
            (names, numLabels) = (glue.IsRegression ? null : glue.Labels, glue.NumLabels);
        }
        else
        {
            // The label space is declared (regression; labels.json next to the data; the adapter's classes) or, failing
            // that, taken from the training data; every row is then checked against it, naming its file and line.
            var options = task.Kind == TaskKind.Regression ? new JsonlOptions { NumLabels = 1 } : DeclaredClasses(trainPath ?? evalPath!, known);
            train = trainPath is null ? [] : ReadClassification(trainPath, options);
            if (options is { NumLabels: null, LabelNames: null } && train.Count > 0) (train, options) = LabelSpace.From(train, trainPath!);
            eval = evalPath is null ? [] : ReadClassification(evalPath, options);
            if (options is { NumLabels: null, LabelNames: null } && eval.Count > 0) (eval, options) = LabelSpace.From(eval, evalPath!);
            names = options.LabelNames;
            numLabels = names?.Count ?? options.NumLabels ?? throw new PeftSharpException($"{trainPath ?? evalPath}: no labelled examples");
        }
        if (settings.EvalSplit is { } fraction) (train, eval) = HeldOutSplit.Apply(train, fraction, trainPath!);
        eval = Limit(eval, settings.EvalMaxExamples);
        return new TaskData(task, Encode(train, tokenizer, maxLength, numLabels, trainPath ?? "", warn),
            evalPath is null && settings.EvalSplit is null ? null : Encode(eval, tokenizer, maxLength, numLabels, evalPath ?? trainPath!, warn), null, null, numLabels, names);
    }

    private static IReadOnlyList<ClassificationExample> ReadClassification(string path, JsonlOptions options)
    {
        var data = JsonlReader.Read(path, options);
        if (data.Format != JsonlFormat.Classification)
            throw new PeftSharpException($"{path}: expected classification rows (sentence / sentence1 + sentence2, label), found {data.Format} rows");
        return data.Examples.Cast<ClassificationExample>().ToList();
    }

    /// <summary>The classes declared for the data: labels.json next to it, checked against the adapter's classes when evaluating one; else the adapter's.</summary>
    private static JsonlOptions DeclaredClasses(string dataPath, KnownClasses known)
    {
        var (knownLabels, knownNames) = (known.Count, known.Names is { } n0 && (known.Count is null || n0.Count == known.Count) ? n0 : null);
        var file = DataLocations.LabelsFile(dataPath);
        var declared = DataLocations.LabelNames(dataPath);
        if (declared is not null && knownNames is not null && !declared.SequenceEqual(knownNames))
            throw new PeftSharpException($"{file}: its classes ({LabelField.Listed(declared)}) differ from those of {known.From} ({LabelField.Listed(knownNames)})");
        if (declared is not null && knownLabels is { } n && declared.Count != n)
            throw new PeftSharpException($"{file}: {declared.Count} classes, but {known.From} has {n}");
        return declared is not null ? new JsonlOptions { LabelNames = declared, ClassesFrom = file }
            : knownLabels is not null ? new JsonlOptions { LabelNames = knownNames, NumLabels = knownLabels, ClassesFrom = known.From }
            : new JsonlOptions();
    }

    private static IReadOnlyList<EncodedExample> Encode(IReadOnlyList<ClassificationExample> examples, ITextTokenizer tokenizer, int maxLength, int numLabels, string source,
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
