using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Llama;

/// <summary>SwiGLU feed-forward: down_proj(act(gate_proj(x)) ⊙ up_proj(x)).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> gate_proj; // (d → inter)
    public nn.Module<Tensor, Tensor> up_proj;   // (d → inter)
    public nn.Module<Tensor, Tensor> down_proj; // (inter → d)
    private readonly string activation;

    public LlamaMlp(LlamaConfig config, Device? device, ScalarType? dtype) : base(nameof(LlamaMlp))
    {
        activation = config.HiddenAct;
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        down_proj.forward(Activations.Apply(activation, gate_proj.forward(x)) * up_proj.forward(x));
}

/// <summary>Pre-norm decoder layer: x + self_attn(norm(x)), then x + mlp(norm(x)).</summary>
internal sealed class LlamaDecoderLayer : nn.Module
{
    public LlamaAttention self_attn;
    public LlamaMlp mlp;
    public RmsNorm input_layernorm;
    public RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(LlamaDecoderLayer))
    {
        self_attn = new LlamaAttention(config, layerIndex, device, dtype);
        mlp = new LlamaMlp(config, device, dtype);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionBias bias, KvCache? cache)
    {
        x = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, bias, cache);
        return x + mlp.forward(post_attention_layernorm.forward(x));
    }
}
