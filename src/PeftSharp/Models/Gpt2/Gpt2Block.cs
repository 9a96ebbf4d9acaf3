using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gpt2;

/// <summary>GPT-2's feed-forward: c_fc → activation (gelu_new) → c_proj.</summary>
internal sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> c_fc;   // Conv1D (d, inner)
    public nn.Module<Tensor, Tensor> c_proj; // Conv1D (inner, d)
    private readonly Gpt2Config config;

    public Gpt2Mlp(Gpt2Config config, Device? device, ScalarType? dtype) : base(nameof(Gpt2Mlp))
    {
        this.config = config;
        c_fc = new Conv1D(config.NEmbd, config.Inner, device, dtype);
        c_proj = new Conv1D(config.Inner, config.NEmbd, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.dropout(c_proj.forward(Activations.Apply(config.ActivationFunction, c_fc.forward(x))), config.ResidPdrop, training);
}

/// <summary>One pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
internal sealed class Gpt2Block : nn.Module
{
    public LayerNorm ln_1;
    public Gpt2Attention attn;
    public LayerNorm ln_2;
    public Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        attn = new Gpt2Attention(config, layerIndex, device, dtype);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        mlp = new Gpt2Mlp(config, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionBias bias, KvCache? cache)
    {
        x = x + attn.Forward(ln_1.forward(x), bias, cache);
        return x + mlp.forward(ln_2.forward(x));
    }
}
