using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>A decoder-only language model (GPT-2, LLaMA family).</summary>
public interface ICausalLanguageModel : IPretrainedModel
{
    /// <summary>
    /// Logits (batch, seq, vocab) for <paramref name="inputIds"/> (batch, seq) int64.
    /// <paramref name="attentionMask"/> (batch, cached + seq): 1 = real token, 0 = padding (left
    /// padding for generation); positions count real tokens only. <paramref name="cache"/>: null for
    /// no caching, or a cache this call appends the new keys/values to.
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null);

    /// <summary>The longest sequence (prompt + generated) the model accepts.</summary>
    int MaxPositions { get; }

    /// <summary>Size of the output vocabulary (last dimension of the logits).</summary>
    int VocabSize { get; }

    /// <summary>End-of-sequence ids from the config (may be empty or several, as in LLaMA-3).</summary>
    IReadOnlyList<int> EosTokenIds { get; }
}
