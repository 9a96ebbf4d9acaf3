namespace PeftSharp.Tokenization;

/// <summary>Ids of an encoded sequence (pair) with special tokens, and the matching token type (segment) ids.</summary>
/// <param name="InputIds">Token ids, special tokens included.</param>
/// <param name="TokenTypeIds">One segment id per token: 0 for the first sequence, 1 for the second (all 0 for RoBERTa).</param>
public sealed record EncodedPair(IReadOnlyList<int> InputIds, IReadOnlyList<int> TokenTypeIds);
