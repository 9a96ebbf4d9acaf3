using PeftSharp.Models.Bert;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>HF DebertaV2Attention: <c>self</c> (disentangled attention) and <c>output</c> (dense, dropout, LayerNorm of the residual sum).</summary>
internal sealed class DebertaV2Attention : nn.Module
{
    [ComponentName(Name = "self")]
    public DisentangledSelfAttention self_attention;
    public BertResidualOutput output;

    public DebertaV2Attention(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaV2Attention))
    {
        self_attention = new DisentangledSelfAttention(config, device, dtype);
        output = new BertResidualOutput(config.HiddenSize, config.HiddenSize, config.LayerNormEps, config.HiddenDropoutProb, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor? keyMask, RelativeContext? relative) =>
        output.Forward(self_attention.Forward(x, keyMask, relative), x);
}

/// <summary>HF DebertaV2Layer: post-LayerNorm attention, then the feed-forward with its own residual + LayerNorm (as BERT).</summary>
internal sealed class DebertaV2Layer : nn.Module
{
    public DebertaV2Attention attention;
    public BertIntermediate intermediate;
    public BertResidualOutput output;

    public DebertaV2Layer(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaV2Layer))
    {
        attention = new DebertaV2Attention(config, device, dtype);
        intermediate = new BertIntermediate(config.HiddenSize, config.IntermediateSize, config.HiddenAct, device, dtype);
        output = new BertResidualOutput(config.IntermediateSize, config.HiddenSize, config.LayerNormEps, config.HiddenDropoutProb, device, dtype);
        RegisterComponents();
    }

    /// <summary>x (batch, seq, d) → (batch, seq, d).</summary>
    public Tensor Forward(Tensor x, Tensor? keyMask, RelativeContext? relative)
    {
        var attended = attention.Forward(x, keyMask, relative);
        return output.Forward(intermediate.forward(attended), attended);
    }
}
