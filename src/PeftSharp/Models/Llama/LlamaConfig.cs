using System.Text.Json.Nodes;

namespace PeftSharp.Models.Llama;

/// <summary>
/// HF <c>rope_scaling</c>: <c>llama3</c> (factor, low_freq_factor, high_freq_factor,
/// original_max_position_embeddings) or <c>linear</c> (factor). Other types are rejected.
/// </summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4, int OriginalMaxPositionEmbeddings = 8192);

/// <summary>
/// LLaMA-family hyperparameters (HF <c>LlamaConfig</c> names and defaults). Also reads <c>mistral</c>
/// configs (same architecture, plus sliding_window) and <c>qwen2</c> configs (q/k/v biases, no o_proj bias).
/// </summary>
public sealed record LlamaConfig : ModelConfig, IClassifierConfig
{
    public LlamaConfig() : base("llama") { }

    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; init; } = 32000;
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; init; } = 4096;
    /// <summary><c>intermediate_size</c>: SwiGLU width.</summary>
    public int IntermediateSize { get; init; } = 11008;
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; init; } = 32;
    /// <summary><c>num_attention_heads</c>.</summary>
    public int NumAttentionHeads { get; init; } = 32;
    /// <summary><c>num_key_value_heads</c>: fewer than the query heads for grouped-query attention; null = same.</summary>
    public int? NumKeyValueHeads { get; init; }
    /// <summary><c>head_dim</c>; null = hidden_size / num_attention_heads.</summary>
    public int? HeadDim { get; init; }
    /// <summary><c>hidden_act</c> of the gated MLP.</summary>
    public string HiddenAct { get; init; } = "silu";
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;
    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-6;
    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; init; } = 10000;
    /// <summary><c>rope_scaling</c>, or null.</summary>
    public RopeScaling? RopeScaling { get; init; }
    /// <summary><c>attention_bias</c>: biases on q/k/v/o (LLaMA); Qwen2 always has q/k/v biases.</summary>
    public bool AttentionBias { get; init; }
    /// <summary><c>mlp_bias</c>.</summary>
    public bool MlpBias { get; init; }
    /// <summary><c>attention_dropout</c>.</summary>
    public double AttentionDropout { get; init; }
    /// <summary><c>tie_word_embeddings</c>.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary><c>sliding_window</c> (Mistral; Qwen2 only with use_sliding_window); null = full attention.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary><c>use_sliding_window</c> (Qwen2).</summary>
    public bool UseSlidingWindow { get; init; }
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; } = 1;
    /// <summary><c>eos_token_id</c> (one or several).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }
    /// <summary><c>num_labels</c> of a sequence classifier (<c>score</c> outputs): the length of <c>id2label</c> when present, else 2.</summary>
    public int NumLabels { get; init; } = 2;
    /// <summary><c>id2label</c>, or null.</summary>
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

    internal static LlamaConfig Read(ConfigJson r, string type)
    {
        var d = new LlamaConfig();
        var labels = ClassifierLabels.Read(r);
        return new LlamaConfig
        {
            ModelType = type,
            SourceJson = r.Root,
            VocabSize = r.RequiredInt("vocab_size", type),
            HiddenSize = r.RequiredInt("hidden_size", type),
            IntermediateSize = r.RequiredInt("intermediate_size", type),
            NumHiddenLayers = r.RequiredInt("num_hidden_layers", type),
            NumAttentionHeads = r.RequiredInt("num_attention_heads", type),
            NumKeyValueHeads = r.OptionalInt("num_key_value_heads"),
            HeadDim = r.OptionalInt("head_dim"),
            HiddenAct = r.String("hidden_act", d.HiddenAct),
            MaxPositionEmbeddings = r.Int("max_position_embeddings", type == "llama" ? 2048 : 32768),
            RmsNormEps = r.Double("rms_norm_eps", d.RmsNormEps),
            RopeTheta = r.Double("rope_theta", d.RopeTheta),
            RopeScaling = ReadRopeScaling(r),
            AttentionBias = r.Bool("attention_bias", false),
            MlpBias = r.Bool("mlp_bias", false),
            AttentionDropout = r.Double("attention_dropout", 0),
            TieWordEmbeddings = r.Bool("tie_word_embeddings", false),
            // HF MistralConfig defaults sliding_window to 4096; an explicit null turns it off.
            SlidingWindow = r.Root.ContainsKey("sliding_window") ? r.OptionalInt("sliding_window") : type == "mistral" ? 4096 : null,
            UseSlidingWindow = r.Bool("use_sliding_window", false),
            InitializerRange = r.Double("initializer_range", d.InitializerRange),
            BosTokenId = r.Has("bos_token_id") ? r.OptionalInt("bos_token_id") : d.BosTokenId,
            EosTokenIds = r.Has("eos_token_id") ? r.IntOrIntList("eos_token_id") : d.EosTokenIds,
            PadTokenId = r.OptionalInt("pad_token_id"),
            NumLabels = labels.NumLabels,
            Id2Label = labels.Id2Label,
            ProblemType = labels.ProblemType,
        };
    }

    private static RopeScaling? ReadRopeScaling(ConfigJson r)
    {
        if (r.OptionalObject("rope_scaling") is not { } obj) return null;
        var s = new ConfigJson(obj, $"{r.Source}: rope_scaling");
        var type = s.OptionalString("rope_type") ?? s.OptionalString("type")
            ?? throw s.Error("missing field 'rope_type' (supported: llama3, linear, default)");
        return type switch
        {
            "default" => null,
            "linear" => new RopeScaling(type, s.OptionalDouble("factor") ?? throw s.Error("missing field 'factor'")),
            "llama3" => new RopeScaling(type,
                s.OptionalDouble("factor") ?? throw s.Error("missing field 'factor'"),
                s.OptionalDouble("low_freq_factor") ?? throw s.Error("missing field 'low_freq_factor'"),
                s.OptionalDouble("high_freq_factor") ?? throw s.Error("missing field 'high_freq_factor'"),
                s.OptionalInt("original_max_position_embeddings") ?? throw s.Error("missing field 'original_max_position_embeddings'")),
            _ => throw s.Error($"rope type '{type}' is not supported (supported: llama3, linear, default)"),
        };
    }

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

    private protected override void Write(JsonObject o)
    {
        o["architectures"] ??= new JsonArray(ClassName("ForCausalLM"));
        o["vocab_size"] = VocabSize;
        o["hidden_size"] = HiddenSize;
        o["intermediate_size"] = IntermediateSize;
        o["num_hidden_layers"] = NumHiddenLayers;
        o["num_attention_heads"] = NumAttentionHeads;
        o["num_key_value_heads"] = KeyValueHeads;
        if (HeadDim is { } headDim) o["head_dim"] = headDim;
        o["hidden_act"] = HiddenAct;
        o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["rms_norm_eps"] = RmsNormEps;
        o["rope_theta"] = RopeTheta;
        o["rope_scaling"] = RopeScaling switch
        {
            null => null,
            { Type: "linear" } rs => new JsonObject { ["rope_type"] = rs.Type, ["factor"] = rs.Factor },
            var rs => new JsonObject
            {
                ["rope_type"] = rs.Type, ["factor"] = rs.Factor, ["low_freq_factor"] = rs.LowFreqFactor,
                ["high_freq_factor"] = rs.HighFreqFactor, ["original_max_position_embeddings"] = rs.OriginalMaxPositionEmbeddings,
            },
        };
        if (ModelType != "qwen2") o["attention_bias"] = AttentionBias;
        if (ModelType == "llama") o["mlp_bias"] = MlpBias;
        o["attention_dropout"] = AttentionDropout;
        o["tie_word_embeddings"] = TieWordEmbeddings;
        if (ModelType != "llama") o["sliding_window"] = SlidingWindow;
        if (ModelType == "qwen2") o["use_sliding_window"] = UseSlidingWindow;
        o["bos_token_id"] = BosTokenId;
        o["eos_token_id"] = IdsToJson(EosTokenIds);
        o["pad_token_id"] = PadTokenId;
        ClassifierLabels.Write(o, this, always: false);
    }
}
