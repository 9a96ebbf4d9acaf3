using static TorchSharp.torch;

namespace PeftSharp.Data;

/// <summary>
/// A padded batch. Shapes: <see cref="InputIds"/>, <see cref="AttentionMask"/>, <see cref="Labels"/>,
/// <see cref="TokenTypeIds"/> (batch, seq) int64; <see cref="ClassLabels"/> (batch) int64; <see cref="Targets"/> (batch) float.
/// </summary>
public sealed record Batch(Tensor InputIds, Tensor AttentionMask, Tensor? Labels, Tensor? TokenTypeIds, Tensor? ClassLabels, Tensor? Targets)
{
    /// <summary>Non-padding tokens in the batch (for tokens/s).</summary>
    public long TokenCount { get; init; }
    public int Size => (int)InputIds.shape[0];
}
