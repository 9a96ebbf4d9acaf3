namespace PeftSharp.Data;

/// <summary>
/// One training or evaluation example as token ids, ready for batching. Causal LM: <see cref="Labels"/> per token
/// (−100 = no loss, HF convention). Sequence classification: <see cref="ClassLabel"/> or, for regression,
/// <see cref="Target"/>; <see cref="TokenTypeIds"/> for sentence pairs in BERT-style models.
/// </summary>
public sealed record EncodedExample(int[] InputIds, int[]? Labels = null, int[]? TokenTypeIds = null, int? ClassLabel = null, double? Target = null)
{
    /// <summary>
    /// Tokens that contribute to a causal-LM loss under the HF shift (position t predicts token t+1, so the
    /// first label never counts); 0 for classification examples.
    /// </summary>
    public int SupervisedTokens => Labels is null ? 0 : Labels.Skip(1).Count(l => l != CausalLmEncoding.IgnoreIndex);
}
