using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models.Bert;

/// <summary>HF BertEncoder: the <c>layer</c> list.</summary>
internal sealed class BertEncoder : nn.Module, IBlockStack
{
    public ModuleList<BertLayer> layer;

    public bool GradientCheckpointing { get; set; }

    public BertEncoder(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config, device, dtype)).ToArray());
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionBias bias)
    {
        foreach (var l in layer) x = ActivationCheckpoint.Run(GradientCheckpointing, l, x, hidden => l.Forward(hidden, bias));
        return x;
    }
}

/// <summary>HF BertPooler: tanh(dense(first token)).</summary>
internal sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> dense;

    public BertPooler(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(BertPooler))
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        RegisterComponents();
    }

    /// <summary>hidden (batch, seq, d) → (batch, d).</summary>
    public override Tensor forward(Tensor hidden) => torch.tanh(dense.forward(hidden.select(1, 0)));
}

/// <summary>HF BertModel / RobertaModel: embeddings, encoder and (BERT) the pooler.</summary>
internal sealed class BertModel : nn.Module
{
    public BertEmbeddings embeddings;
    public BertEncoder encoder;
    public BertPooler? pooler;

    public BertModel(BertConfig config, bool addPoolingLayer, Device? device, ScalarType? dtype) : base(nameof(BertModel))
    {
        embeddings = new BertEmbeddings(config, device, dtype);
        encoder = new BertEncoder(config, device, dtype);
        if (addPoolingLayer) pooler = new BertPooler(config, device, dtype);
        RegisterComponents();
    }

    /// <summary>inputIds (batch, seq) → hidden states (batch, seq, d).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        var mask = attentionMask is null ? null : AttentionMasks.Normalize(attentionMask, inputIds.shape[0], inputIds.shape[1]);
        return encoder.Forward(embeddings.Forward(inputIds, tokenTypeIds), AttentionMasks.Padding(mask));
    }
}
