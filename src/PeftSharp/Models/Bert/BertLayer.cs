using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace PeftSharp.Models.Bert;

/// <summary>Multi-head self-attention projections (HF BertSelfAttention: query, key, value).</summary>
internal sealed class BertSelfAttention : nn.Module
{
    public nn.Module<Tensor, Tensor> query; // (d → d)
    public nn.Module<Tensor, Tensor> key;
    public nn.Module<Tensor, Tensor> value;
    private readonly BertConfig config;

    public BertSelfAttention(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertSelfAttention))
    {
        this.config = config;
        query = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        key = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        value = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        RegisterComponents();
    }

    /// <summary>x (batch, seq, d) → context (batch, seq, d).</summary>
    public Tensor Forward(Tensor x, AttentionBias bias)
    {
        long batch = x.shape[0], seq = x.shape[1], heads = config.NumAttentionHeads, hd = config.HeadDim;
        Tensor Heads(Tensor t) => t.view(batch, seq, heads, hd).transpose(1, 2);           // (batch, heads, seq, hd)
        var context = bias.Attend(Heads(query.forward(x)), Heads(key.forward(x)), Heads(value.forward(x)),
            training ? config.AttentionProbsDropoutProb : 0);
        return context.transpose(1, 2).reshape(batch, seq, heads * hd);
    }
}

/// <summary>dense → dropout → LayerNorm(· + residual): HF BertSelfOutput and BertOutput.</summary>
internal sealed class BertResidualOutput : nn.Module
{
    public nn.Module<Tensor, Tensor> dense;
    [ComponentName(Name = "LayerNorm")]
    public LayerNorm layer_norm;
    private readonly double dropout;

    public BertResidualOutput(long inFeatures, BertConfig config, Device? device, ScalarType? dtype)
        : this(inFeatures, config.HiddenSize, config.LayerNormEps, config.HiddenDropoutProb, device, dtype) { }

    /// <summary>Also DeBERTa's SelfOutput / Output (the same layer with its own sizes).</summary>
    public BertResidualOutput(long inFeatures, long hiddenSize, double layerNormEps, double dropout, Device? device, ScalarType? dtype) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inFeatures, hiddenSize, true, device, dtype);
        layer_norm = nn.LayerNorm(hiddenSize, layerNormEps, device: device, dtype: dtype);
        this.dropout = dropout;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor residual) =>
        layer_norm.forward(nn.functional.dropout(dense.forward(x), dropout, training) + residual);
}

/// <summary>HF BertAttention: <c>self</c> (projections) and <c>output</c> (dense + LayerNorm).</summary>
internal sealed class BertAttention : nn.Module
{
    [ComponentName(Name = "self")]
    public BertSelfAttention self_attention;
    public BertResidualOutput output;

    public BertAttention(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertAttention))
    {
        self_attention = new BertSelfAttention(config, device, dtype);
        output = new BertResidualOutput(config.HiddenSize, config, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionBias bias) => output.Forward(self_attention.Forward(x, bias), x);
}

/// <summary>HF BertIntermediate: dense (d → intermediate) and the activation.</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> dense;
    private readonly string activation;

    public BertIntermediate(BertConfig config, Device? device, ScalarType? dtype)
        : this(config.HiddenSize, config.IntermediateSize, config.HiddenAct, device, dtype) { }

    /// <summary>Also DeBERTa's Intermediate.</summary>
    public BertIntermediate(long hiddenSize, long intermediateSize, string activation, Device? device, ScalarType? dtype) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(hiddenSize, intermediateSize, true, device, dtype);
        this.activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Activations.Apply(activation, dense.forward(x));
}

/// <summary>Post-LayerNorm encoder layer: attention, then the feed-forward with its own residual + LayerNorm.</summary>
internal sealed class BertLayer : nn.Module
{
    public BertAttention attention;
    public BertIntermediate intermediate;
    public BertResidualOutput output;

    public BertLayer(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, device, dtype);
        intermediate = new BertIntermediate(config, device, dtype);
        output = new BertResidualOutput(config.IntermediateSize, config, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionBias bias)
    {
        var attended = attention.Forward(x, bias);
        return output.Forward(intermediate.forward(attended), attended);
    }
}
