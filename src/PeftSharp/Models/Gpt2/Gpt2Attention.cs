using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gpt2;

/// <summary>GPT-2 multi-head causal self-attention: fused qkv projection (c_attn), output projection (c_proj).</summary>
internal sealed class Gpt2Attention : nn.Module
{
    public nn.Module<Tensor, Tensor> c_attn; // Conv1D (d, 3d)
    public nn.Module<Tensor, Tensor> c_proj; // Conv1D (d, d)

    private readonly Gpt2Config config;
    private readonly int layerIndex;

    public Gpt2Attention(Gpt2Config config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(Gpt2Attention))
    {
        this.config = config;
        this.layerIndex = layerIndex;
        c_attn = new Conv1D(config.NEmbd, 3 * config.NEmbd, device, dtype);
        c_proj = new Conv1D(config.NEmbd, config.NEmbd, device, dtype);
        RegisterComponents();
    }

    /// <summary>x (batch, seq, d) → (batch, seq, d).</summary>
    public Tensor Forward(Tensor x, AttentionBias bias, KvCache? cache)
    {
        long batch = x.shape[0], seq = x.shape[1], d = config.NEmbd, heads = config.NHead, headDim = config.HeadDim;
        var qkv = c_attn.forward(x);                                                    // (batch, seq, 3d)
        var parts = qkv.split(d, 2);
        var q = parts[0].view(batch, seq, heads, headDim).transpose(1, 2);              // (batch, heads, seq, hd)
        var k = parts[1].view(batch, seq, heads, headDim).transpose(1, 2);
        var v = parts[2].view(batch, seq, heads, headDim).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(layerIndex, k, v);                 // (batch, heads, total, hd)

        // scaled_dot_product_attention always divides by √hd; fold GPT-2's variants into q.
        var extra = (config.ScaleAttnWeights ? 1.0 : Math.Sqrt(headDim)) / (config.ScaleAttnByInverseLayerIdx ? layerIndex + 1 : 1);
        if (extra != 1.0) q = q * extra;

        var y = bias.Attend(q, k, v, training ? config.AttnPdrop : 0);                  // (batch, heads, seq, hd)
        y = y.transpose(1, 2).reshape(batch, seq, d);
        return nn.functional.dropout(c_proj.forward(y), config.ResidPdrop, training);
    }
}
