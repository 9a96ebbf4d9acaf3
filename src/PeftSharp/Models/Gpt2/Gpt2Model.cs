using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gpt2;

/// <summary>GPT-2's body (HF <c>GPT2Model</c>, the <c>transformer</c> of the LM): embeddings, blocks, final norm.</summary>
internal sealed class Gpt2Model : nn.Module, IBlockStack
{
    public Embedding wte; // (vocab, d)
    public Embedding wpe; // (n_positions, d)
    public ModuleList<Gpt2Block> h;
    public LayerNorm ln_f;
    private readonly Gpt2Config config;

    public bool GradientCheckpointing { get; set; }

    public Gpt2Model(Gpt2Config config, Device? device, ScalarType? dtype) : base(nameof(Gpt2Model))
    {
        this.config = config;
        wte = EmbeddingLayer.Create(config.VocabSize, config.NEmbd, device, dtype);
        wpe = EmbeddingLayer.Create(config.NPositions, config.NEmbd, device, dtype);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block(config, i, device, dtype)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>inputIds (batch, seq) → hidden states (batch, seq, d) after ln_f.</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        long batch = inputIds.shape[0], seq = inputIds.shape[1], past = cache?.Length ?? 0;
        if (past + seq > config.NPositions)
            throw new PeftSharpException($"sequence of {past + seq} tokens exceeds GPT-2's context of {config.NPositions} positions (n_positions)");
        AttentionMasks.CheckIds(inputIds, config.VocabSize, "input_ids");
        var mask = AttentionMasks.Normalize(attentionMask, batch, past + seq);
        var positions = AttentionMasks.PositionIds(mask, past, seq, inputIds.device);   // (1|batch, seq)
        var bias = AttentionMasks.Causal(mask, past, seq, null, inputIds.device);
        var x = wte.forward(inputIds) + wpe.forward(positions);                          // (batch, seq, d)
        x = nn.functional.dropout(x, config.EmbdPdrop, training);
        foreach (var block in h) x = ActivationCheckpoint.Run(GradientCheckpointing, block, x, hidden => block.Forward(hidden, bias, cache));
        return ln_f.forward(x);
    }

    /// <summary>GPT-2 paper init: residual projections (<c>c_proj</c>) drawn with std initializer_range / √(2·n_layer).</summary>
    internal static void ScaleResidualProjections(nn.Module root, Gpt2Config config, Generator? generator, Func<string, bool>? only)
    {
        var std = config.InitializerRange / Math.Sqrt(2.0 * config.NLayer);
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in root.named_parameters())
            if (name.EndsWith("c_proj.weight", StringComparison.Ordinal) && (only is null || only(name)))
                parameter.normal_(0, std, generator);
    }
}
