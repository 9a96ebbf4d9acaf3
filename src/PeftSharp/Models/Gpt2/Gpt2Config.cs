using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PeftSharp.Models.Gpt2;

/// <summary>GPT-2 hyperparameters (HF <c>GPT2Config</c> field names and defaults).</summary>
public sealed record Gpt2Config : ModelConfig, IClassifierConfig
{
    public Gpt2Config() : base("gpt2") { }

    /// <summary><c>vocab_size</c>.</summary>
    [JsonRequired]
    public int VocabSize { get; init; } = 50257;
    /// <summary><c>n_positions</c>: the context length (learned position embeddings).</summary>
    public int NPositions { get; init; } = 1024;
    /// <summary><c>n_embd</c>: the hidden size.</summary>
    [JsonRequired]
    public int NEmbd { get; init; } = 768;
    /// <summary><c>n_layer</c>.</summary>
    [JsonRequired]
    public int NLayer { get; init; } = 12;
    /// <summary><c>n_head</c>.</summary>
    [JsonRequired]
    public int NHead { get; init; } = 12;
    /// <summary><c>n_inner</c>: MLP width; null means 4 × n_embd.</summary>
    public int? NInner { get; init; }
    /// <summary><c>activation_function</c>: gelu_new (default), gelu_pytorch_tanh, gelu, relu, silu.</summary>
    public string ActivationFunction { get; init; } = "gelu_new";
    /// <summary><c>resid_pdrop</c>.</summary>
    public double ResidPdrop { get; init; } = 0.1;
    /// <summary><c>embd_pdrop</c>.</summary>
    public double EmbdPdrop { get; init; } = 0.1;
    /// <summary><c>attn_pdrop</c>.</summary>
    public double AttnPdrop { get; init; } = 0.1;
    /// <summary><c>layer_norm_epsilon</c>.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;
    /// <summary><c>scale_attn_weights</c>: divide attention scores by √head_dim.</summary>
    public bool ScaleAttnWeights { get; init; } = true;
    /// <summary><c>scale_attn_by_inverse_layer_idx</c>: also divide by (layer index + 1).</summary>
    public bool ScaleAttnByInverseLayerIdx { get; init; }
    /// <summary><c>tie_word_embeddings</c>: the output head reuses <c>wte</c>.</summary>
    public bool TieWordEmbeddings { get; init; } = true;
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; } = 50256;
    /// <summary><c>eos_token_id</c> (one or several).</summary>
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(TokenIdsJsonConverter))]
    public IReadOnlyList<int> EosTokenIds { get; init; } = [50256];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }
    /// <summary><c>num_labels</c> of a sequence classifier (<c>score</c> outputs): the length of <c>id2label</c> when present, else 2.</summary>
    public int NumLabels { get; init; } = 2;
    /// <summary><c>id2label</c>, or null.</summary>
    [JsonPropertyName("id2label"), JsonConverter(typeof(Id2LabelJsonConverter))]
    public IReadOnlyDictionary<int, string>? Id2Label { get; init; }
    /// <summary><c>problem_type</c>; null = regression for one label, single_label_classification otherwise.</summary>
    public string? ProblemType { get; init; }

    internal int Inner => NInner ?? 4 * NEmbd;
    internal int HeadDim => NEmbd / NHead;

    internal string EffectiveProblemType => ClassifierLabels.EffectiveProblemType(this);

    ModelConfig IClassifierConfig.WithNumLabels(int numLabels, IReadOnlyList<string>? names) =>
        this with { NumLabels = numLabels, Id2Label = ClassifierLabels.Id2Label(names), ProblemType = numLabels == 1 ? "regression" : null };

    internal override int ContextLength => NPositions;

    internal override void Validate(string source)
    {
        RequirePositive(VocabSize, "vocab_size", source);
        RequirePositive(NPositions, "n_positions", source);
        RequirePositive(NEmbd, "n_embd", source);
        RequirePositive(NLayer, "n_layer", source);
        RequirePositive(NHead, "n_head", source);
        if (NInner is { } inner) RequirePositive(inner, "n_inner", source);
        RequireDivisible(NEmbd, "n_embd", NHead, "n_head", source);
        Require(Activations.IsSupported(ActivationFunction), source,
            $"'activation_function' '{ActivationFunction}' is not supported (supported: {string.Join(", ", Activations.Supported)})");
        RequireProbability(ResidPdrop, "resid_pdrop", source);
        RequireProbability(EmbdPdrop, "embd_pdrop", source);
        RequireProbability(AttnPdrop, "attn_pdrop", source);
        ClassifierLabels.Validate(this, source);
        Require(LayerNormEpsilon > 0, source, $"'layer_norm_epsilon' must be positive, got {LayerNormEpsilon}");
    }

    private protected override void WriteDerivedFields(JsonObject root)
    {
        root["architectures"] ??= new JsonArray("GPT2LMHeadModel");
        root["n_ctx"] = NPositions; // HF's own GPT-2 configs carry it, equal to n_positions
        ClassifierLabels.Write(root, this, always: false);
    }
}
