using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>
/// HF ConvLayer (DeBERTa-v2 XL/XXL): a 1-D convolution over the encoder's input (the embeddings), masked,
/// activated (conv_act) and added to the first layer's output before a LayerNorm; padding rows are zeroed.
/// </summary>
internal sealed class DebertaConvLayer : nn.Module
{
    public nn.Module<Tensor, Tensor> conv; // Conv1d (d → d, kernel conv_kernel_size, same padding, conv_groups)
    [ComponentName(Name = "LayerNorm")]
    public LayerNorm layer_norm;
    private readonly DebertaV2Config config;

    public DebertaConvLayer(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaConvLayer))
    {
        this.config = config;
        conv = nn.Conv1d(config.HiddenSize, config.HiddenSize, config.ConvKernelSize, padding: (config.ConvKernelSize - 1) / 2,
            groups: config.ConvGroups, device: device, dtype: dtype);
        layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>embeddings, residual (batch, seq, d), mask (batch, seq) or null → (batch, seq, d).</summary>
    public Tensor Forward(Tensor embeddings, Tensor residual, Tensor? mask)
    {
        var x = conv.forward(embeddings.transpose(1, 2)).transpose(1, 2);                      // (batch, seq, d)
        var real = mask?.ne(0).unsqueeze(-1);                                                   // (batch, seq, 1)
        if (real is not null) x = x.masked_fill(real.logical_not(), 0);
        x = Activations.Apply(config.ConvAct, nn.functional.dropout(x, config.HiddenDropoutProb, training));
        var y = layer_norm.forward(residual + x);
        return real is null ? y : y * real.to(y.dtype);
    }
}

/// <summary>
/// HF DebertaV2Encoder: the layers, the relative position embeddings (<c>rel_embeddings</c>, 2·span rows,
/// normalised by <c>LayerNorm</c> when norm_rel_ebd is layer_norm) shared by every layer, and the optional
/// ConvLayer after the first layer.
/// </summary>
internal sealed class DebertaV2Encoder : nn.Module, IBlockStack
{
    public ModuleList<DebertaV2Layer> layer;
    public Embedding? rel_embeddings; // (2·span, d), only with relative_attention
    [ComponentName(Name = "LayerNorm")]
    public LayerNorm? layer_norm;      // only when norm_rel_ebd is layer_norm
    public DebertaConvLayer? conv;     // only when conv_kernel_size > 0
    private readonly DebertaV2Config config;

    public bool GradientCheckpointing { get; set; }

    public DebertaV2Encoder(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaV2Encoder))
    {
        this.config = config;
        layer = new ModuleList<DebertaV2Layer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new DebertaV2Layer(config, device, dtype)).ToArray());
        if (config.RelativeAttention) rel_embeddings = EmbeddingLayer.Create(2L * config.AttentionSpan, config.HiddenSize, device, dtype);
        if (config.NormalizesRelativeEmbeddings) layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        if (config.ConvKernelSize > 0) conv = new DebertaConvLayer(config, device, dtype);
        RegisterComponents();
    }

    /// <summary>embeddings (batch, seq, d), mask (batch, seq) or null → (batch, seq, d).</summary>
    public Tensor Forward(Tensor embeddings, Tensor? mask)
    {
        long batch = embeddings.shape[0], seq = embeddings.shape[1];
        var keyMask = mask?.ne(0).view(batch, 1, 1, seq);
        RelativeContext? relative = null;
        if (rel_embeddings is not null && (config.UsesC2P || config.UsesP2C))
        {
            Tensor table = rel_embeddings.weight!;                                              // (2·span, d)
            if (layer_norm is not null) table = layer_norm.forward(table);
            relative = new RelativeContext(table, RelativePositions.EmbeddingRows(seq, config, embeddings.device));
        }
        var x = embeddings;
        for (var i = 0; i < layer.Count; i++) x = RunLayer(i, x, keyMask, mask, relative);
        return x;
    }

    /// <summary>
    /// Layer i, checkpointed when switched on. The relative embeddings every layer reads are an input of the checkpoint
    /// (they train with full fine-tuning). The ConvLayer joins the first layer: both read the embeddings, and as one unit
    /// their gradients at the embeddings add up in the same order as without checkpointing.
    /// </summary>
    private Tensor RunLayer(int i, Tensor x, Tensor? keyMask, Tensor? mask, RelativeContext? relative)
    {
        var withConv = i == 0 && conv is not null;
        nn.Module[] modules = withConv ? [layer[i], conv!] : [layer[i]];
        Tensor[] inputs = relative is null ? [x] : [x, relative.Embeddings];
        return ActivationCheckpoint.Run(GradientCheckpointing, modules, inputs, unit =>
        {
            var output = layer[i].Forward(unit[0], keyMask, relative is null ? null : relative with { Embeddings = unit[1] });
            return withConv ? conv!.Forward(unit[0], output, mask) : output;
        });
    }
}
