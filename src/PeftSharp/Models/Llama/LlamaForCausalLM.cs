using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models.Llama;

/// <summary>HF <c>LlamaModel</c>: embed_tokens, layers, norm.</summary>
internal sealed class LlamaModel : nn.Module, IBlockStack
{
    public Embedding embed_tokens; // (vocab, d)
    public ModuleList<LlamaDecoderLayer> layers;
    public RmsNorm norm;
    private readonly LlamaConfig config;
    private readonly RotaryEmbedding rotary;

    public bool GradientCheckpointing { get; set; }

    public LlamaModel(LlamaConfig config, Device? device, ScalarType? dtype) : base(nameof(LlamaModel))
    {
        this.config = config;
        rotary = new RotaryEmbedding(config);
        embed_tokens = EmbeddingLayer.Create(config.VocabSize, config.HiddenSize, device, dtype);
        layers = new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LlamaDecoderLayer(config, i, device, dtype)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    /// <summary>inputIds (batch, seq) → hidden states (batch, seq, d) after the final norm.</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        long batch = inputIds.shape[0], seq = inputIds.shape[1], past = cache?.Length ?? 0;
        AttentionMasks.CheckIds(inputIds, config.VocabSize, "input_ids");
        var mask = AttentionMasks.Normalize(attentionMask, batch, past + seq);
        var positions = AttentionMasks.PositionIds(mask, past, seq, inputIds.device);       // (1|batch, seq)
        var bias = AttentionMasks.Causal(mask, past, seq, config.EffectiveSlidingWindow, inputIds.device);
        var x = embed_tokens.forward(inputIds);                                              // (batch, seq, d)
        var (cos, sin) = rotary.Angles(positions, x.dtype);
        foreach (var layer in layers) x = ActivationCheckpoint.Run(GradientCheckpointing, layer, x, hidden => layer.Forward(hidden, cos, sin, bias, cache));
        return norm.forward(x);
    }
}

/// <summary>
/// HF <c>LlamaForCausalLM</c> (also Mistral and Qwen2 checkpoints): <c>model.layers.N.self_attn.q_proj.weight</c>, …,
/// <c>lm_head.weight</c> unless tie_word_embeddings, in which case the head is computed from <c>model.embed_tokens</c>.
/// Mistral's sliding window is applied through the attention mask.
/// </summary>
internal sealed class LlamaForCausalLM : PretrainedModel, ICausalLanguageModel
{
    public LlamaModel model;
    public nn.Module<Tensor, Tensor>? lm_head; // Linear (d → vocab), only when untied
    private readonly LlamaConfig config;

    public LlamaForCausalLM(LlamaConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(LlamaForCausalLM))
    {
        this.config = config;
        model = new LlamaModel(config, device, dtype);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: device, dtype: dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int MaxPositions => config.MaxPositionEmbeddings;
    public int VocabSize => config.VocabSize;
    public IReadOnlyList<int> EosTokenIds => config.EosTokenIds;

    internal override string ArchitectureName => config.ClassName("ForCausalLM");
    internal override string BaseModelPrefix => "model.";
    internal override Tensor? TiedHeadWeight => config.TieWordEmbeddings ? model.embed_tokens.weight : null;

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        var hidden = model.Forward(inputIds, attentionMask, cache);                          // (batch, seq, d)
        return lm_head is null ? nn.functional.linear(hidden, model.embed_tokens.weight!) : lm_head.forward(hidden);
    }
}
