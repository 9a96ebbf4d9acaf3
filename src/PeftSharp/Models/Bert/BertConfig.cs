using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PeftSharp.Models.Bert;

/// <summary>
/// BERT / RoBERTa encoder hyperparameters plus the sequence-classification fields (HF names and
/// defaults). <c>num_labels</c> is the length of <c>id2label</c> when present (HF's rule), else
/// <c>num_labels</c>, else 2.
/// </summary>
public sealed record BertConfig : ModelConfig, IClassifierConfig
{
    public BertConfig() : base("bert") { }

    /// <summary><c>vocab_size</c>.</summary>
    [JsonRequired]
    public int VocabSize { get; init; } = 30522;
    /// <summary><c>hidden_size</c>.</summary>
    [JsonRequired]
    public int HiddenSize { get; init; } = 768;
    /// <summary><c>num_hidden_layers</c>.</summary>
    [JsonRequired]
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary><c>num_attention_heads</c>.</summary>
    [JsonRequired]
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary><c>intermediate_size</c>.</summary>
    [JsonRequired]
    public int IntermediateSize { get; init; } = 3072;
    /// <summary><c>hidden_act</c>.</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary><c>hidden_dropout_prob</c>.</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;
    /// <summary><c>attention_probs_dropout_prob</c>.</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    /// <summary><c>classifier_dropout</c>; null = hidden_dropout_prob.</summary>
    public double? ClassifierDropout { get; init; }
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary><c>type_vocab_size</c>: number of segment ids (1 for RoBERTa).</summary>
    public int TypeVocabSize { get; init; } = 2;
    /// <summary><c>layer_norm_eps</c>.</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary><c>pad_token_id</c> (RoBERTa's position ids start after it; a roberta config.json without it reads as HF's 1).</summary>
    public int PadTokenId { get; init; }
    /// <summary><c>position_embedding_type</c>: only absolute is supported.</summary>
    public string PositionEmbeddingType { get; init; } = "absolute";
    /// <summary><c>num_labels</c>.</summary>
    public int NumLabels { get; init; } = 2;
    /// <summary><c>id2label</c>, or null.</summary>
    [JsonPropertyName("id2label"), JsonConverter(typeof(Id2LabelJsonConverter))]
    public IReadOnlyDictionary<int, string>? Id2Label { get; init; }
    /// <summary><c>problem_type</c>; null = regression for one label, single_label_classification otherwise.</summary>
    public string? ProblemType { get; init; }

    internal int HeadDim => HiddenSize / NumAttentionHeads;
    internal double EffectiveClassifierDropout => ClassifierDropout ?? HiddenDropoutProb;
    internal string EffectiveProblemType => ClassifierLabels.EffectiveProblemType(this);

    ModelConfig IClassifierConfig.WithNumLabels(int numLabels, IReadOnlyList<string>? names) =>
        this with { NumLabels = numLabels, Id2Label = ClassifierLabels.Id2Label(names), ProblemType = numLabels == 1 ? "regression" : null };

    /// <summary>RoBERTa's positions run from pad_token_id + 1 (see <see cref="BertEmbeddings"/>).</summary>
    internal override int ContextLength => ModelType == "roberta" ? MaxPositionEmbeddings - PadTokenId - 1 : MaxPositionEmbeddings;

    internal override void Validate(string source)
    {
        if (ModelType is not ("bert" or "roberta"))
            throw new PeftSharpException($"{source}: BertConfig cannot describe model_type '{ModelType}' (bert, roberta)");
        RequirePositive(VocabSize, "vocab_size", source);
        RequirePositive(HiddenSize, "hidden_size", source);
        RequirePositive(NumHiddenLayers, "num_hidden_layers", source);
        RequirePositive(NumAttentionHeads, "num_attention_heads", source);
        RequirePositive(IntermediateSize, "intermediate_size", source);
        RequirePositive(MaxPositionEmbeddings, "max_position_embeddings", source);
        RequirePositive(TypeVocabSize, "type_vocab_size", source);
        RequireDivisible(HiddenSize, "hidden_size", NumAttentionHeads, "num_attention_heads", source);
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, source, $"'pad_token_id' ({PadTokenId}) must be a token id below 'vocab_size' ({VocabSize})");
        Require(ModelType != "roberta" || PadTokenId + 1 < MaxPositionEmbeddings, source,
            $"RoBERTa positions start at 'pad_token_id' + 1 ({PadTokenId + 1}), which must be below 'max_position_embeddings' ({MaxPositionEmbeddings})");
        Require(Activations.IsSupported(HiddenAct), source,
            $"'hidden_act' '{HiddenAct}' is not supported (supported: {string.Join(", ", Activations.Supported)})");
        Require(PositionEmbeddingType == "absolute", source,
            $"'position_embedding_type' '{PositionEmbeddingType}' is not supported (only absolute)");
        ClassifierLabels.Validate(this, source);
        RequireProbability(HiddenDropoutProb, "hidden_dropout_prob", source);
        RequireProbability(AttentionProbsDropoutProb, "attention_probs_dropout_prob", source);
        RequireProbability(EffectiveClassifierDropout, "classifier_dropout", source);
        Require(LayerNormEps > 0, source, $"'layer_norm_eps' must be positive, got {LayerNormEps}");
    }

    private protected override void WriteDerivedFields(JsonObject root)
    {
        root["architectures"] = new JsonArray(ModelType == "roberta" ? "RobertaForSequenceClassification" : "BertForSequenceClassification");
        ClassifierLabels.Write(root, this, always: true);
    }
}
