namespace PeftSharp.Training;

/// <summary>
/// One training or evaluation example as token ids, ready for batching. Causal LM: <see cref="Labels"/> per token
/// (−100 = ignored, HF convention). Sequence classification: <see cref="ClassLabel"/> or, for regression,
/// <see cref="Target"/>; <see cref="TokenTypeIds"/> for pairs in BERT-style models.
/// </summary>
public sealed record EncodedExample(int[] InputIds, int[]? Labels = null, int[]? TokenTypeIds = null, int? ClassLabel = null, double? Target = null)
{
    public const int IgnoreIndex = -100;
}
