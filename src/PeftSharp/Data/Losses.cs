using static TorchSharp.torch;

namespace PeftSharp.Data;

/// <summary>The training losses, with HuggingFace's conventions.</summary>
public static class Losses
{
    /// <summary>
    /// Causal LM loss: mean cross-entropy over the non-ignored shifted tokens — logits at position t predict
    /// labels at t + 1; label −100 is ignored. logits (batch, seq, vocab), labels (batch, seq).
    /// <paramref name="labelSmoothing"/> mixes the one-hot target with the uniform distribution (LoRA's E2E setup uses 0.1).
    /// </summary>
    public static Tensor CausalLm(Tensor logits, Tensor labels, double labelSmoothing = 0)
    {
        long vocab = logits.shape[^1];
        var shiftedLogits = logits[.., ..^1, ..].reshape(-1, vocab);
        var shiftedLabels = labels[.., 1..].reshape(-1);
        return nn.functional.cross_entropy(shiftedLogits.to(ScalarType.Float32), shiftedLabels, ignore_index: CausalLmEncoding.IgnoreIndex, label_smoothing: labelSmoothing);
    }

    /// <summary>Sequence classification: cross-entropy over classes, or mean squared error when there is one output (regression, STS-B).</summary>
    public static Tensor Classification(Tensor logits, Batch batch) =>
        logits.shape[^1] == 1 && batch.Targets is not null
            ? nn.functional.mse_loss(logits.reshape(-1).to(ScalarType.Float32), batch.Targets)
            : nn.functional.cross_entropy(logits.to(ScalarType.Float32), batch.ClassLabels ?? throw new PeftSharpException("classification batch has no labels"));
}
