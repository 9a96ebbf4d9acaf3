using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PeftSharp.Models.Llama;

/// <summary>
/// LLaMA-family hyperparameters (HF <c>LlamaConfig</c> names and defaults). Also reads <c>mistral</c>
/// configs (same architecture, plus sliding_window) and <c>qwen2</c> configs (q/k/v biases, no o_proj bias).
/// </summary>
public sealed record LlamaConfig : ModelConfig, IClassifierConfig
{
    public LlamaConfig() : base("llama") { }

    /// <summary><c>vocab_size</c>.</summary>
    [JsonRequired]
    public int VocabSize { get; init; } = 32000;
    /// <summary><c>hidden_size</c>.</summary>
    [JsonRequired]
    public int HiddenSize { get; init; } = 4096;
    /// <summary><c>intermediate_size</c>: SwiGLU width.</summary>
    [JsonRequired]
    public int IntermediateSize { get; init; } = 11008;
    /// <summary><c>num_hidden_layers</c>.</summary>
    [JsonRequired]
    public int NumHiddenLayers { get; init; } = 32;
    /// <summary><c>num_attention_heads</c>.</summary>
    [JsonRequired]
    public int NumAttentionHeads { get; init; } = 32;
    /// <summary><c>num_key_value_heads</c>: fewer than the query heads for grouped-query attention; null = same.</summary>
    public int? NumKeyValueHeads { get; init; }
    /// <summary><c>head_dim</c>; null = hidden_size / num_attention_heads.</summary>
    public int? HeadDim { get; init; }
    /// <summary><c>hidden_act</c> of the gated MLP.</summary>
    public string HiddenAct { get; init; } = "silu";
    /// <summary><c>max_position_embeddings</c> (a mistral or qwen2 config.json without it reads as HF's 32768).</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;
    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-6;
    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; init; } = 10000;
    /// <summary><c>rope_scaling</c>, or null.</summary>
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>
    /// Per-frequency divisors of the rotary frequencies, as a GGUF file's <c>rope_freqs</c> gives them when they are not
    /// LLaMA-3's scaling with its usual parameters; null otherwise. Such a config cannot be written as HF config.json.
    /// </summary>
    internal float[]? RopeFrequencyFactors { get; init; }
    /// <summary><c>attention_bias</c>: biases on q/k/v/o (LLaMA); Qwen2 always has q/k/v biases.</summary>
    public bool AttentionBias { get; init; }
    /// <summary><c>mlp_bias</c>.</summary>
    public bool MlpBias { get; init; }
    /// <summary><c>attention_dropout</c>.</summary>
    public double AttentionDropout { get; init; }
    /// <summary><c>tie_word_embeddings</c>.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary>
    /// <c>sliding_window</c> (Mistral; Qwen2 only with use_sliding_window); null = full attention. A mistral config.json
    /// without the field reads as HF's 4096, one with <c>null</c> as full attention.
    /// </summary>
    public int? SlidingWindow { get; init; }
    /// <summary><c>use_sliding_window</c> (Qwen2).</summary>
    public bool UseSlidingWindow { get; init; }
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; } = 1;
    /// <summary><c>eos_token_id</c> (one or several).</summary>
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(TokenIdsJsonConverter))]
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }
    /// <summary><c>num_labels</c> of a sequence classifier (<c>score</c> outputs): the length of <c>id2label</c> when present, else 2.</summary>
    public int NumLabels { get; init; } = 2;
    /// <summary><c>id2label</c>, or null.</summary>
    [JsonPropertyName("id2label"), JsonConverter(typeof(Id2LabelJsonConverter))]
    public IReadOnlyDictionary<int, string>? Id2Label { get; init; }
    /// <summary><c>problem_type</c>; null = regression for one label, single_label_classification otherwise.</summary>
    public string? ProblemType { get; init; }

    internal int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;
    internal int Dim => HeadDim ?? HiddenSize / NumAttentionHeads;
    internal bool QkvBias => ModelType == "qwen2" || AttentionBias;
    internal bool OutputBias => ModelType != "qwen2" && AttentionBias;
    internal int? EffectiveSlidingWindow => ModelType switch
    {
        "mistral" => SlidingWindow,
        "qwen2" when UseSlidingWindow => SlidingWindow,
        _ => null,
    };

    /// <summary>HF's class for this model_type and head: LlamaForCausalLM, MistralForSequenceClassification, Qwen2…</summary>
    internal string ClassName(string head) => ModelType switch { "mistral" => "Mistral", "qwen2" => "Qwen2", _ => "Llama" } + head;

    internal string EffectiveProblemType => ClassifierLabels.EffectiveProblemType(this);

    ModelConfig IClassifierConfig.WithNumLabels(int numLabels, IReadOnlyList<string>? names) =>
        this with { NumLabels = numLabels, Id2Label = ClassifierLabels.Id2Label(names), ProblemType = numLabels == 1 ? "regression" : null };

    internal override int ContextLength => MaxPositionEmbeddings;

    internal override void Validate(string source)
    {
        if (ModelType is not ("llama" or "mistral" or "qwen2"))
            throw new PeftSharpException($"{source}: LlamaConfig cannot describe model_type '{ModelType}' (llama, mistral, qwen2)");
        RequirePositive(VocabSize, "vocab_size", source);
        RequirePositive(HiddenSize, "hidden_size", source);
        RequirePositive(IntermediateSize, "intermediate_size", source);
        RequirePositive(NumHiddenLayers, "num_hidden_layers", source);
        RequirePositive(NumAttentionHeads, "num_attention_heads", source);
        RequirePositive(KeyValueHeads, "num_key_value_heads", source);
        RequirePositive(MaxPositionEmbeddings, "max_position_embeddings", source);
        if (HeadDim is { } headDim) RequirePositive(headDim, "head_dim", source);
        else RequireDivisible(HiddenSize, "hidden_size", NumAttentionHeads, "num_attention_heads", source);
        Require(Dim % 2 == 0, source, $"the head dimension ({Dim}, 'head_dim' or 'hidden_size' / 'num_attention_heads') must be even for rotary embeddings");
        RequireDivisible(NumAttentionHeads, "num_attention_heads", KeyValueHeads, "num_key_value_heads", source);
        Require(Activations.IsSupported(HiddenAct), source,
            $"'hidden_act' '{HiddenAct}' is not supported (supported: {string.Join(", ", Activations.Supported)})");
        Require(RmsNormEps > 0, source, $"'rms_norm_eps' must be positive, got {RmsNormEps}");
        Require(RopeTheta > 0, source, $"'rope_theta' must be positive, got {RopeTheta}");
        RequireProbability(AttentionDropout, "attention_dropout", source);
        if (SlidingWindow is { } window) RequirePositive(window, "sliding_window", source);
        if (ModelType == "qwen2" && UseSlidingWindow)
            throw new PeftSharpException($"{source}: 'use_sliding_window' true is not supported for qwen2 (per-layer windows via max_window_layers)");
        ClassifierLabels.Validate(this, source);
        if (RopeScaling is { } rs)
        {
            Require(rs.Type is "llama3" or "linear", source, $"rope_scaling type '{rs.Type}' is not supported (supported: llama3, linear)");
            Require(rs.Factor > 0, source, $"rope_scaling 'factor' must be positive, got {rs.Factor}");
            if (rs.Type == "llama3")
            {
                Require(rs.HighFreqFactor > rs.LowFreqFactor && rs.LowFreqFactor > 0, source,
                    $"rope_scaling needs 0 < 'low_freq_factor' ({rs.LowFreqFactor}) < 'high_freq_factor' ({rs.HighFreqFactor})");
                RequirePositive(rs.OriginalMaxPositionEmbeddings, "rope_scaling.original_max_position_embeddings", source);
            }
        }
    }

    private protected override bool WritesField(string field) => field switch
    {
        "head_dim" => HeadDim is not null,
        "attention_bias" => ModelType != "qwen2",
        "mlp_bias" => ModelType == "llama",
        "sliding_window" => ModelType != "llama",
        "use_sliding_window" => ModelType == "qwen2",
        _ => true,
    };

    private protected override void WriteDerivedFields(JsonObject root)
    {
        if (RopeFrequencyFactors is not null)
            throw new PeftSharpException("this model's rotary frequencies come from a GGUF file's rope_freqs, which no HF rope_scaling describes; " +
                                         "it cannot be saved as a HuggingFace folder (export it as GGUF instead)");
        root["architectures"] ??= new JsonArray(ClassName("ForCausalLM"));
        root["num_key_value_heads"] = KeyValueHeads;
        ClassifierLabels.Write(root, this, always: false);
    }
}
