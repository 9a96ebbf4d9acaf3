using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Llama;

/// <summary>
/// LLaMA attention with rotary positions and grouped-query attention: num_attention_heads query
/// heads share num_key_value_heads key/value heads (query head h uses key/value head h / group).
/// </summary>
internal sealed class LlamaAttention : nn.Module
{
    public nn.Module<Tensor, Tensor> q_proj; // (d → heads·hd)
    public nn.Module<Tensor, Tensor> k_proj; // (d → kv_heads·hd)
    public nn.Module<Tensor, Tensor> v_proj; // (d → kv_heads·hd)
    public nn.Module<Tensor, Tensor> o_proj; // (heads·hd → d)

    private readonly LlamaConfig config;
    private readonly int layerIndex;

    public LlamaAttention(LlamaConfig config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(LlamaAttention))
    {
        this.config = config;
        this.layerIndex = layerIndex;
        int d = config.HiddenSize, hd = config.Dim;
        q_proj = nn.Linear(d, config.NumAttentionHeads * hd, config.QkvBias, device, dtype);
        k_proj = nn.Linear(d, config.KeyValueHeads * hd, config.QkvBias, device, dtype);
        v_proj = nn.Linear(d, config.KeyValueHeads * hd, config.QkvBias, device, dtype);
        o_proj = nn.Linear(config.NumAttentionHeads * hd, d, config.OutputBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>x (batch, seq, d); cos/sin (batch|1, 1, seq, hd) → (batch, seq, d).</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionBias bias, KvCache? cache)
    {
        long batch = x.shape[0], seq = x.shape[1], heads = config.NumAttentionHeads, kvHeads = config.KeyValueHeads, hd = config.Dim;
        var q = q_proj.forward(x).view(batch, seq, heads, hd).transpose(1, 2);                  // (batch, heads, seq, hd)
        var k = k_proj.forward(x).view(batch, seq, kvHeads, hd).transpose(1, 2);                // (batch, kv, seq, hd)
        var v = v_proj.forward(x).view(batch, seq, kvHeads, hd).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layerIndex, k, v);                        // (batch, kv, total, hd)
        if (kvHeads != heads)
        {
            var group = heads / kvHeads;
            long total = k.shape[2];
            k = k.unsqueeze(2).expand(batch, kvHeads, group, total, hd).reshape(batch, heads, total, hd);
            v = v.unsqueeze(2).expand(batch, kvHeads, group, total, hd).reshape(batch, heads, total, hd);
        }
        var y = bias.Attend(q, k, v, training ? config.AttentionDropout : 0);                  // (batch, heads, seq, hd)
        return o_proj.forward(y.transpose(1, 2).reshape(batch, seq, heads * hd));
    }
}
