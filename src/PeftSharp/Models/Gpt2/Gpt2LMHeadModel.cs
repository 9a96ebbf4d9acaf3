using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gpt2;

/// <summary>
/// HF <c>GPT2LMHeadModel</c>: parameters <c>transformer.wte.weight</c>, <c>transformer.h.N.attn.c_attn.weight</c>, …
/// The head is tied to <c>wte</c> (computed from it in forward, no <c>lm_head</c> parameter) unless
/// tie_word_embeddings is false, in which case <c>lm_head</c> is a bias-free linear layer.
/// </summary>
internal sealed class Gpt2LMHeadModel : PretrainedModel, ICausalLanguageModel
{
    public Gpt2Model transformer;
    public nn.Module<Tensor, Tensor>? lm_head; // Linear (d → vocab), only when untied
    private readonly Gpt2Config config;

    public Gpt2LMHeadModel(Gpt2Config config, Device? device = null, ScalarType? dtype = null) : base(nameof(Gpt2LMHeadModel))
    {
        this.config = config;
        transformer = new Gpt2Model(config, device, dtype);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.NEmbd, config.VocabSize, hasBias: false, device: device, dtype: dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int MaxPositions => config.NPositions;
    public int VocabSize => config.VocabSize;
    public IReadOnlyList<int> EosTokenIds => config.EosTokenIds;

    internal override string ArchitectureName => "GPT2LMHeadModel";
    internal override string BaseModelPrefix => "transformer.";
    internal override bool KeepsOmittedPrefixOnSave => true;
    internal override Tensor? TiedHeadWeight => config.TieWordEmbeddings ? transformer.wte.weight : null;

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        var hidden = transformer.Forward(inputIds, attentionMask, cache);                 // (batch, seq, d)
        return lm_head is null ? nn.functional.linear(hidden, transformer.wte.weight!) : lm_head.forward(hidden); // (batch, seq, vocab)
    }

    protected override void AfterInitialization(Generator? generator, Func<string, bool>? only) =>
        Gpt2Model.ScaleResidualProjections(this, config, generator, only);
}
