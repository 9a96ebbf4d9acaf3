namespace PeftSharp.Data;

/// <summary>
/// One example as a reader found it in a file: plain text and numbers, no tokenizer involved.
/// <see cref="CausalLmEncoding"/> turns the causal-LM kinds into token ids and labels.
/// </summary>
public abstract record Example;

/// <summary>
/// Pre-tokenized causal-LM example. <paramref name="Labels"/> has the length of
/// <paramref name="InputIds"/>, −100 marks an ignored position; <c>null</c> means "labels = input ids".
/// </summary>
public sealed record TokenIdsExample(int[] InputIds, int[]? Labels) : Example;

/// <summary>Causal-LM example trained on the whole text.</summary>
public sealed record TextExample(string Text) : Example;

/// <summary>
/// Causal-LM example whose loss covers the completion only. <see cref="References"/> (the optional
/// <c>"references"</c> field) lists every acceptable completion, for generation metrics.
/// </summary>
public sealed record PromptCompletionExample(string Prompt, string Completion, IReadOnlyList<string>? References = null) : Example
{
    /// <summary>The source and its references as a generation example (references default to the completion).</summary>
    public GenerationExample ForGeneration() => new(Prompt, References ?? [Completion.Trim()]);
}

/// <summary>
/// Sentence or sentence-pair classification (or regression) example.
/// <paramref name="Label"/> is the class index (0, 1, …) for classification, the score for
/// regression, and <c>null</c> for an unlabeled (test) row or a class name not yet resolved to its index.
/// <paramref name="LabelName"/> is the class name when the file names classes (<c>"label": "pos"</c>).
/// </summary>
public sealed record ClassificationExample(string Text, string? TextPair, double? Label, string? LabelName = null) : Example
{
    /// <summary>Whether the row has a label (an index, a score or a name).</summary>
    public bool IsLabelled => Label is not null || LabelName is not null;

    /// <summary>The label as a class index; throws if the row is unlabeled or the label is not an integer.</summary>
    public int ClassIndex => Label is { } l && l == Math.Floor(l) && l >= 0 && l <= int.MaxValue
        ? (int)l
        : throw new InvalidOperationException($"label {Label?.ToString() ?? "null"} is not a class index");
}

/// <summary>
/// One E2E NLG training pair: the meaning representation (MR) and one human reference.
/// Encoded as <c>MR tokens + EOS + " " + reference + EOS</c> with the loss on the reference only.
/// </summary>
public sealed record E2EExample(string MeaningRepresentation, string Reference) : Example;

/// <summary>
/// A generation evaluation item: one source (e.g. an E2E MR) and all its references, in file order.
/// </summary>
public sealed record GenerationExample(string Source, IReadOnlyList<string> References) : Example;

/// <summary>
/// One commonsense-reasoning item in the LLM-Adapters / DoRA format. <paramref name="Task"/> is the
/// canonical task name (e.g. <c>boolq</c>) or <c>null</c> for the merged training file.
/// </summary>
public sealed record CommonsenseExample(string? Task, string Instruction, string Input, string Output, string Answer) : Example;
