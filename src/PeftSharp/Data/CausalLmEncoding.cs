namespace PeftSharp.Data;

/// <summary>What to do with a sequence longer than <see cref="CausalLmEncodingOptions.MaxLength"/>.</summary>
public enum LongSequencePolicy
{
    /// <summary>Raise a <see cref="PeftSharpException"/> naming the example (default).</summary>
    Error,
    /// <summary>Keep the first MaxLength tokens (and their labels); one summary warning per dataset.</summary>
    Truncate,
}

/// <summary>How <see cref="CausalLmEncoding"/> tokenizes.</summary>
public sealed record CausalLmEncodingOptions
{
    /// <summary>Text → token ids, without any special token (BOS/EOS are added here, from the ids below).</summary>
    public required Func<string, IReadOnlyList<int>> Encode { get; init; }

    /// <summary>End-of-sequence id; needed by every example kind except token ids (null when only those are encoded).</summary>
    public int? EosId { get; init; }

    /// <summary>Beginning-of-sequence id prepended to every sequence (LLaMA: 1), or null for none (GPT-2).</summary>
    public int? BosId { get; init; }

    /// <summary>Longest allowed sequence, or null for no limit. The DoRA commonsense recipe uses 256 with truncation.</summary>
    public int? MaxLength { get; init; }

    /// <summary>What to do with longer sequences.</summary>
    public LongSequencePolicy LongSequences { get; init; } = LongSequencePolicy.Error;

    /// <summary>Whether <see cref="TextExample"/>s end with EOS (default true, so the model learns to stop).</summary>
    public bool AppendEosToText { get; init; } = true;

    /// <summary>Use the commonsense reference scripts' 16-space-indented template (see <see cref="CommonsensePrompt"/>).</summary>
    public bool CommonsenseReferenceIndentation { get; init; }

    /// <summary>Receives the dataset's warnings (truncated and dropped examples).</summary>
    public Action<string>? Warn { get; init; }

    internal int RequiredEosId => EosId ?? throw new PeftSharpException("the tokenizer defines no EOS token, which causal-LM text examples need");
}

/// <summary>
/// Turns examples into causal-LM training sequences with the HF label convention
/// (labels = ids, −100 where no loss is taken; the model shifts them):
/// <list type="bullet">
/// <item><see cref="TokenIdsExample"/>: as given, no special token added (labels default to the ids).</item>
/// <item><see cref="TextExample"/>: ids = encode(text) [+ EOS]; labels = ids.</item>
/// <item><see cref="PromptCompletionExample"/>: ids = encode(prompt) + encode(completion) + EOS; labels −100 over the prompt.</item>
/// <item><see cref="E2EExample"/>: ids = encode(MR) + EOS + encode(" " + reference) + EOS; labels −100 over the MR and the first EOS (LoRA's E2E setup).</item>
/// <item><see cref="CommonsenseExample"/>: ids = encode(<see cref="CommonsensePrompt.Train"/>) + EOS; labels = ids (DoRA's setup, loss on the whole sequence).</item>
/// </list>
/// With <see cref="CausalLmEncodingOptions.BosId"/> set, every sequence starts with BOS (label −100
/// for prompt/completion and E2E examples; a normal label for text and commonsense, as HF tokenizers give).
/// Truncation keeps the first MaxLength tokens, which for commonsense matches the reference
/// (tokenizer truncation at cutoff_len, EOS appended only when there is room).
/// Examples left with no supervised token (see <see cref="EncodedExample.SupervisedTokens"/>) are
/// dropped with a warning: they would contribute nothing but a division by zero.
/// </summary>
public static class CausalLmEncoding
{
    /// <summary>Label of a position that takes no loss (HF's <c>ignore_index</c>).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>Encodes a dataset. <paramref name="source"/> (e.g. the file name) prefixes messages.</summary>
    public static IReadOnlyList<EncodedExample> EncodeAll(IReadOnlyList<Example> examples, CausalLmEncodingOptions options, string source = "data")
    {
        if (options.MaxLength is < 2) throw new PeftSharpException($"MaxLength must be at least 2, got {options.MaxLength}");
        var result = new List<EncodedExample>(examples.Count);
        int truncated = 0, longest = 0, longestIndex = 0, dropped = 0, firstDropped = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            var full = Encode(examples[i], options, source, i);
            var encoded = full;
            if (options.MaxLength is { } max && full.InputIds.Length > max)
            {
                if (options.LongSequences == LongSequencePolicy.Error)
                    throw new PeftSharpException($"{source}: example #{i + 1} is {full.InputIds.Length} tokens long, more than the maximum length {max}; shorten it, raise the maximum, or choose truncation");
                encoded = new EncodedExample(full.InputIds[..max], full.Labels![..max]);
                truncated++;
                if (full.InputIds.Length > longest) (longest, longestIndex) = (full.InputIds.Length, i + 1);
            }
            if (encoded.SupervisedTokens == 0)
            {
                if (dropped++ == 0) firstDropped = i + 1;
                continue;
            }
            result.Add(encoded);
        }
        if (truncated > 0) options.Warn?.Invoke(TruncationWarning(source, truncated, examples.Count, options.MaxLength!.Value, longestIndex, longest));
        if (dropped > 0)
            options.Warn?.Invoke($"{source}: dropped {dropped} example(s) with no token to predict (first: #{firstDropped})");
        if (result.Count == 0) throw new PeftSharpException($"{source}: no example has a token to predict");
        return result;
    }

    /// <summary>The one summary warning of a dataset whose over-long examples were truncated (causal LM and classification alike).</summary>
    internal static string TruncationWarning(string source, int truncated, int count, int maxLength, int longestIndex, int longest) =>
        $"{source}: {truncated} of {count} examples were longer than {maxLength} tokens and were truncated (longest: #{longestIndex}, {longest} tokens)";

    /// <summary>
    /// The prompt a generation evaluation feeds the model, built exactly like the unsupervised part of the training
    /// sequence: BOS + prompt (prompt/completion rows, wn-define), BOS + MR + EOS (E2E groups), BOS + the evaluation
    /// template (commonsense).
    /// </summary>
    public static int[] EncodePrompt(Example example, CausalLmEncodingOptions options)
    {
        var builder = new SequenceBuilder(options);
        builder.Bos(supervised: false);
        switch (example)
        {
            case PromptCompletionExample p:
                builder.Add(options.Encode(p.Prompt), supervised: false);
                break;
            case GenerationExample g:
                builder.Add(options.Encode(g.Source), supervised: false);
                builder.Eos(supervised: false);
                break;
            case CommonsenseExample c:
                builder.Add(options.Encode(CommonsensePrompt.Eval(c, options.CommonsenseReferenceIndentation)), supervised: false);
                break;
            default:
                throw new PeftSharpException($"a {example.GetType().Name} has no generation prompt");
        }
        return builder.Build().InputIds;
    }

    /// <summary>Encodes one example without any length limit.</summary>
    public static EncodedExample Encode(Example example, CausalLmEncodingOptions options) => Encode(example, options, "data", 0);

    private static EncodedExample Encode(Example example, CausalLmEncodingOptions options, string source, int index)
    {
        var builder = new SequenceBuilder(options);
        switch (example)
        {
            case TokenIdsExample t: // pre-tokenized: taken as is, no BOS/EOS added
                builder.Add(t.InputIds, t.Labels ?? t.InputIds);
                break;
            case TextExample t:
                builder.Bos(supervised: true);
                builder.Add(options.Encode(t.Text), supervised: true);
                if (options.AppendEosToText) builder.Eos(supervised: true);
                break;
            case PromptCompletionExample p:
                builder.Bos(supervised: false);
                builder.Add(options.Encode(p.Prompt), supervised: false);
                builder.Add(options.Encode(p.Completion), supervised: true);
                builder.Eos(supervised: true);
                break;
            case E2EExample e:
                builder.Bos(supervised: false);
                builder.Add(options.Encode(e.MeaningRepresentation), supervised: false);
                builder.Eos(supervised: false);
                builder.Add(options.Encode(" " + e.Reference), supervised: true);
                builder.Eos(supervised: true);
                break;
            case CommonsenseExample c:
                builder.Bos(supervised: true);
                builder.Add(options.Encode(CommonsensePrompt.Train(c, options.CommonsenseReferenceIndentation)), supervised: true);
                builder.Eos(supervised: true);
                break;
            default:
                throw new PeftSharpException($"{source}: example #{index + 1} is a {example.GetType().Name}, which is not a causal-LM training example");
        }
        return builder.Build();
    }

    private sealed class SequenceBuilder(CausalLmEncodingOptions options)
    {
        private readonly List<int> ids = [];
        private readonly List<int> labels = [];

        public void Bos(bool supervised)
        {
            if (options.BosId is { } bos) Add([bos], supervised);
        }

        public void Eos(bool supervised) => Add([options.RequiredEosId], supervised);

        public void Add(IReadOnlyList<int> ids, bool supervised)
        {
            this.ids.AddRange(ids);
            if (supervised) labels.AddRange(ids);
            else labels.AddRange(Enumerable.Repeat(IgnoreIndex, ids.Count));
        }

        public void Add(IReadOnlyList<int> ids, IReadOnlyList<int> labels)
        {
            this.ids.AddRange(ids);
            this.labels.AddRange(labels);
        }

        public EncodedExample Build() => new([.. ids], [.. labels]);
    }
}
