using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace PeftSharp.Models.Bert;

/// <summary>
/// Word + position + token-type embeddings, LayerNorm, dropout. BERT numbers positions 0, 1, …;
/// RoBERTa numbers real tokens from pad_token_id + 1 and gives padding pad_token_id (HF
/// create_position_ids_from_input_ids).
/// </summary>
internal sealed class BertEmbeddings : nn.Module
{
    public Embedding word_embeddings;      // (vocab, d)
    public Embedding position_embeddings;  // (max_positions, d)
    public Embedding token_type_embeddings; // (type_vocab, d)
    [ComponentName(Name = "LayerNorm")]
    public LayerNorm layer_norm;
    private readonly BertConfig config;

    public BertEmbeddings(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertEmbeddings))
    {
        this.config = config;
        long d = config.HiddenSize;
        word_embeddings = EmbeddingLayer.Create(config.VocabSize, d, device, dtype, config.PadTokenId);
        position_embeddings = config.ModelType == "roberta"
            ? EmbeddingLayer.Create(config.MaxPositionEmbeddings, d, device, dtype, config.PadTokenId)
            : EmbeddingLayer.Create(config.MaxPositionEmbeddings, d, device, dtype);
        token_type_embeddings = EmbeddingLayer.Create(config.TypeVocabSize, d, device, dtype);
        layer_norm = nn.LayerNorm(d, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>inputIds, tokenTypeIds (batch, seq) → (batch, seq, d).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        long seq = inputIds.shape[1];
        var positions = PositionIds(inputIds);
        long lastPosition;
        using (var max = positions.max()) lastPosition = max.item<long>();
        if (lastPosition >= config.MaxPositionEmbeddings)
            throw new PeftSharpException($"sequence of {seq} tokens needs position {lastPosition}, beyond 'max_position_embeddings' ({config.MaxPositionEmbeddings})");
        AttentionMasks.CheckIds(inputIds, config.VocabSize, "input_ids");
        if (tokenTypeIds is not null) AttentionMasks.CheckIds(tokenTypeIds, config.TypeVocabSize, "token_type_ids");
        tokenTypeIds ??= torch.zeros_like(inputIds);
        var x = word_embeddings.forward(inputIds) + position_embeddings.forward(positions) + token_type_embeddings.forward(tokenTypeIds);
        return nn.functional.dropout(layer_norm.forward(x), config.HiddenDropoutProb, training);
    }

    private Tensor PositionIds(Tensor inputIds)
    {
        if (config.ModelType != "roberta")
            return torch.arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0); // (1, seq)
        var real = inputIds.ne(config.PadTokenId).to(ScalarType.Int64);                                           // (batch, seq)
        return real.cumsum(1) * real + config.PadTokenId;
    }
}
