using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>
/// HF DebertaV2Embeddings: word embeddings (embedding_size wide), plus absolute positions when
/// position_biased_input, plus token types when type_vocab_size &gt; 0; <c>embed_proj</c> to hidden_size when
/// the widths differ; LayerNorm; padding positions zeroed; dropout.
/// </summary>
internal sealed class DebertaV2Embeddings : nn.Module
{
    public Embedding word_embeddings;        // (vocab, e)
    public Embedding? position_embeddings;   // (max_positions, e), only when position_biased_input
    public Embedding? token_type_embeddings; // (type_vocab, e), only when type_vocab_size > 0
    public nn.Module<Tensor, Tensor>? embed_proj; // Linear (e → d, no bias), only when e ≠ d
    [ComponentName(Name = "LayerNorm")]
    public LayerNorm layer_norm;
    private readonly DebertaV2Config config;

    public DebertaV2Embeddings(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaV2Embeddings))
    {
        this.config = config;
        long e = config.EffectiveEmbeddingSize, d = config.HiddenSize;
        word_embeddings = EmbeddingLayer.Create(config.VocabSize, e, device, dtype, config.PadTokenId);
        if (config.PositionBiasedInput) position_embeddings = EmbeddingLayer.Create(config.MaxPositionEmbeddings, e, device, dtype);
        if (config.TypeVocabSize > 0) token_type_embeddings = EmbeddingLayer.Create(config.TypeVocabSize, e, device, dtype);
        if (e != d) embed_proj = nn.Linear(e, d, hasBias: false, device: device, dtype: dtype);
        layer_norm = nn.LayerNorm(d, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>inputIds, tokenTypeIds (batch, seq), mask (batch, seq) or null → (batch, seq, d).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor? mask)
    {
        long seq = inputIds.shape[1];
        AttentionMasks.CheckIds(inputIds, config.VocabSize, "input_ids");
        var x = word_embeddings.forward(inputIds);                                              // (batch, seq, e)
        if (position_embeddings is not null)
        {
            if (seq > config.MaxPositionEmbeddings)
                throw new PeftSharpException($"sequence of {seq} tokens exceeds 'max_position_embeddings' ({config.MaxPositionEmbeddings})");
            x = x + position_embeddings.forward(torch.arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0));
        }
        if (token_type_embeddings is not null)
        {
            if (tokenTypeIds is not null) AttentionMasks.CheckIds(tokenTypeIds, config.TypeVocabSize, "token_type_ids");
            x = x + token_type_embeddings.forward(tokenTypeIds ?? torch.zeros_like(inputIds));
        }
        if (embed_proj is not null) x = embed_proj.forward(x);                                 // (batch, seq, d)
        x = layer_norm.forward(x);
        if (mask is not null) x = x * mask.unsqueeze(-1).to(x.dtype);
        return nn.functional.dropout(x, config.HiddenDropoutProb, training);
    }
}
