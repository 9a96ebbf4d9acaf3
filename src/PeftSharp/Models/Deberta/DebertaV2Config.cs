using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PeftSharp.Models.Deberta;

/// <summary>
/// DeBERTa-v2 / v3 hyperparameters (HF <c>DebertaV2Config</c>, <c>model_type</c> <c>deberta-v2</c>) plus the
/// sequence-classification fields. Field names and defaults are HF's; <c>pos_att_type</c> may be a list or
/// the legacy <c>"p2c|c2p"</c> string.
/// </summary>
public sealed record DebertaV2Config : ModelConfig, IClassifierConfig
{
    public DebertaV2Config() : base("deberta-v2") { }

    /// <summary><c>vocab_size</c>.</summary>
    [JsonRequired]
    public int VocabSize { get; init; } = 128100;
    /// <summary><c>hidden_size</c>.</summary>
    [JsonRequired]
    public int HiddenSize { get; init; } = 1536;
    /// <summary><c>num_hidden_layers</c>.</summary>
    [JsonRequired]
    public int NumHiddenLayers { get; init; } = 24;
    /// <summary><c>num_attention_heads</c>.</summary>
    [JsonRequired]
    public int NumAttentionHeads { get; init; } = 24;
    /// <summary><c>attention_head_size</c>; null = hidden_size / num_attention_heads.</summary>
    public int? AttentionHeadSize { get; init; }
    /// <summary><c>intermediate_size</c>.</summary>
    [JsonRequired]
    public int IntermediateSize { get; init; } = 6144;
    /// <summary><c>hidden_act</c>.</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary><c>hidden_dropout_prob</c> (also the dropout of the relative embeddings in every layer).</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;
    /// <summary><c>attention_probs_dropout_prob</c>.</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    /// <summary><c>max_position_embeddings</c>: absolute positions (when position_biased_input) and the fallback of max_relative_positions.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary><c>type_vocab_size</c>: 0 (v3, v2-XXL) means token_type_ids are ignored.</summary>
    public int TypeVocabSize { get; init; }
    /// <summary><c>layer_norm_eps</c>.</summary>
    public double LayerNormEps { get; init; } = 1e-7;
    /// <summary><c>pad_token_id</c>.</summary>
    public int PadTokenId { get; init; }
    /// <summary><c>embedding_size</c>; null = hidden_size (otherwise <c>embed_proj</c> maps it to hidden_size).</summary>
    public int? EmbeddingSize { get; init; }
    /// <summary><c>position_biased_input</c>: add absolute position embeddings to the input (false in v3).</summary>
    public bool PositionBiasedInput { get; init; } = true;
    /// <summary><c>relative_attention</c>: the disentangled content↔position terms.</summary>
    public bool RelativeAttention { get; init; }
    /// <summary><c>max_relative_positions</c>; below 1 = max_position_embeddings.</summary>
    public int MaxRelativePositions { get; init; } = -1;
    /// <summary><c>position_buckets</c>: log-bucketed relative positions when positive (256 in v3).</summary>
    public int PositionBuckets { get; init; } = -1;
    /// <summary><c>pos_att_type</c>: which relative terms are used, <c>c2p</c> and/or <c>p2c</c>.</summary>
    [JsonConverter(typeof(PosAttTypeJsonConverter))]
    public IReadOnlyList<string> PosAttType { get; init; } = [];
    /// <summary><c>share_att_key</c>: project relative embeddings with query_proj/key_proj instead of pos_query_proj/pos_key_proj.</summary>
    public bool ShareAttKey { get; init; }
    /// <summary><c>norm_rel_ebd</c>: <c>layer_norm</c> normalises the relative embeddings (<c>encoder.LayerNorm</c>), <c>none</c> does not.</summary>
    public string NormRelEbd { get; init; } = "none";
    /// <summary><c>conv_kernel_size</c>: positive adds the ConvLayer after the first layer (v2-XL/XXL).</summary>
    public int ConvKernelSize { get; init; }
    /// <summary><c>conv_groups</c>.</summary>
    public int ConvGroups { get; init; } = 1;
    /// <summary><c>conv_act</c>.</summary>
    public string ConvAct { get; init; } = "tanh";
    /// <summary><c>pooler_hidden_size</c>; must equal hidden_size.</summary>
    public int? PoolerHiddenSize { get; init; }
    /// <summary><c>pooler_hidden_act</c>: activation of the ContextPooler.</summary>
    public string PoolerHiddenAct { get; init; } = "gelu";
    /// <summary><c>pooler_dropout</c>: dropout on the first token before the pooler.</summary>
    public double PoolerDropout { get; init; }
    /// <summary><c>cls_dropout</c>: dropout before the classifier; null = hidden_dropout_prob.</summary>
    public double? ClsDropout { get; init; }
    /// <summary><c>num_labels</c>.</summary>
    public int NumLabels { get; init; } = 2;
    /// <summary><c>id2label</c>, or null.</summary>
    [JsonPropertyName("id2label"), JsonConverter(typeof(Id2LabelJsonConverter))]
    public IReadOnlyDictionary<int, string>? Id2Label { get; init; }
    /// <summary><c>problem_type</c>; null = regression for one label, single_label_classification otherwise.</summary>
    public string? ProblemType { get; init; }

    internal int HeadDim => AttentionHeadSize ?? HiddenSize / NumAttentionHeads;
    internal int EffectiveEmbeddingSize => EmbeddingSize ?? HiddenSize;
    internal int EffectiveMaxRelativePositions => MaxRelativePositions < 1 ? MaxPositionEmbeddings : MaxRelativePositions;
    /// <summary>HF's att_span / pos_ebd_size: the relative embedding table has twice this many rows.</summary>
    internal int AttentionSpan => PositionBuckets > 0 ? PositionBuckets : EffectiveMaxRelativePositions;
    internal bool UsesC2P => PosAttType.Contains("c2p");
    internal bool UsesP2C => PosAttType.Contains("p2c");
    /// <summary>1 + the number of relative terms: scores are divided by √(head_dim · scale_factor).</summary>
    internal int ScaleFactor => 1 + (UsesC2P ? 1 : 0) + (UsesP2C ? 1 : 0);
    internal bool NormalizesRelativeEmbeddings => NormRelEbdParts.Contains("layer_norm");
    internal double EffectiveClsDropout => ClsDropout ?? HiddenDropoutProb;
    internal string EffectiveProblemType => ClassifierLabels.EffectiveProblemType(this);
    private IEnumerable<string> NormRelEbdParts => NormRelEbd.ToLowerInvariant().Split('|').Select(p => p.Trim());

    ModelConfig IClassifierConfig.WithNumLabels(int numLabels, IReadOnlyList<string>? names) =>
        this with { NumLabels = numLabels, Id2Label = ClassifierLabels.Id2Label(names), ProblemType = numLabels == 1 ? "regression" : null };

    internal override int ContextLength => MaxPositionEmbeddings;

    internal override void Validate(string source)
    {
        if (ModelType != "deberta-v2") throw new PeftSharpException($"{source}: DebertaV2Config cannot describe model_type '{ModelType}' (deberta-v2)");
        RequirePositive(VocabSize, "vocab_size", source);
        RequirePositive(HiddenSize, "hidden_size", source);
        RequirePositive(NumHiddenLayers, "num_hidden_layers", source);
        RequirePositive(NumAttentionHeads, "num_attention_heads", source);
        RequirePositive(IntermediateSize, "intermediate_size", source);
        RequirePositive(MaxPositionEmbeddings, "max_position_embeddings", source);
        if (AttentionHeadSize is { } headSize)
            Require(headSize * NumAttentionHeads == HiddenSize, source,
                $"'attention_head_size' ({headSize}) × 'num_attention_heads' ({NumAttentionHeads}) must equal 'hidden_size' ({HiddenSize})");
        else RequireDivisible(HiddenSize, "hidden_size", NumAttentionHeads, "num_attention_heads", source);
        if (EmbeddingSize is { } embeddingSize) RequirePositive(embeddingSize, "embedding_size", source);
        Require(TypeVocabSize >= 0, source, $"'type_vocab_size' must not be negative, got {TypeVocabSize}");
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, source, $"'pad_token_id' ({PadTokenId}) must be a token id below 'vocab_size' ({VocabSize})");
        Require((PoolerHiddenSize ?? HiddenSize) == HiddenSize, source,
            $"'pooler_hidden_size' ({PoolerHiddenSize}) must equal 'hidden_size' ({HiddenSize}): the classifier reads the pooler's output");
        var activations = new List<(string, string)> { ("hidden_act", HiddenAct), ("pooler_hidden_act", PoolerHiddenAct) };
        if (ConvKernelSize > 0) activations.Add(("conv_act", ConvAct));
        foreach (var (field, activation) in activations)
            Require(Activations.IsSupported(activation), source,
                $"'{field}' '{activation}' is not supported (supported: {string.Join(", ", Activations.Supported)})");
        foreach (var term in PosAttType)
            Require(term is "c2p" or "p2c", source, $"'pos_att_type' entry '{term}' is not supported (c2p, p2c)");
        foreach (var part in NormRelEbdParts)
            Require(part is "none" or "layer_norm", source, $"'norm_rel_ebd' '{NormRelEbd}' is not supported (none, layer_norm)");
        if (RelativeAttention && PositionBuckets > 0)
        {
            // The log buckets divide by log((max_relative_positions − 1) / (position_buckets / 2)).
            Require(PositionBuckets >= 2, source, $"'position_buckets' must be at least 2, got {PositionBuckets}");
            Require(EffectiveMaxRelativePositions - 1 > PositionBuckets / 2, source,
                $"'max_relative_positions' ({EffectiveMaxRelativePositions}, or 'max_position_embeddings' when below 1) must exceed 'position_buckets' / 2 + 1 ({PositionBuckets / 2 + 1})");
        }
        if (ConvKernelSize > 0)
        {
            Require(ConvKernelSize % 2 == 1, source, $"'conv_kernel_size' must be odd (the output keeps the sequence length), got {ConvKernelSize}");
            RequirePositive(ConvGroups, "conv_groups", source);
            RequireDivisible(HiddenSize, "hidden_size", ConvGroups, "conv_groups", source);
        }
        ClassifierLabels.Validate(this, source);
        RequireProbability(HiddenDropoutProb, "hidden_dropout_prob", source);
        RequireProbability(AttentionProbsDropoutProb, "attention_probs_dropout_prob", source);
        RequireProbability(PoolerDropout, "pooler_dropout", source);
        RequireProbability(EffectiveClsDropout, "cls_dropout", source);
        Require(LayerNormEps > 0, source, $"'layer_norm_eps' must be positive, got {LayerNormEps}");
    }

    private protected override bool WritesField(string field) => field switch
    {
        "attention_head_size" => AttentionHeadSize is not null,
        "embedding_size" => EmbeddingSize is not null,
        "conv_kernel_size" or "conv_groups" or "conv_act" => ConvKernelSize > 0,
        _ => true,
    };

    private protected override void WriteDerivedFields(JsonObject root)
    {
        root["architectures"] ??= new JsonArray("DebertaV2ForSequenceClassification");
        root["pooler_hidden_size"] = PoolerHiddenSize ?? HiddenSize; // spelled out: HF's pooler takes its size from this field
        ClassifierLabels.Write(root, this, always: true);
    }
}
