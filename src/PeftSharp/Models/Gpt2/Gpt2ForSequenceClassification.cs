using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gpt2;

/// <summary>
/// HF <c>GPT2ForSequenceClassification</c>: <c>transformer.*</c> (GPT2Model) and <c>score</c> (bias-free
/// linear n_embd → num_labels) read at each row's last real token (<see cref="LastTokenPooling"/>).
/// A language-model checkpoint's <c>lm_head.weight</c> is dropped silently; a missing <c>score</c> is
/// initialised with normal(0, initializer_range). token_type_ids are ignored: HF's GPT-2 tokenizer does not
/// produce them (HF's model would add <c>wte(token_type_ids)</c> if a caller passed some).
/// </summary>
internal sealed class Gpt2ForSequenceClassification : PretrainedModel, ISequenceClassificationModel
{
    public Gpt2Model transformer;
    public nn.Module<Tensor, Tensor> score; // Linear (d → num_labels), no bias
    private readonly Gpt2Config config;

    public Gpt2ForSequenceClassification(Gpt2Config config, Device? device = null, ScalarType? dtype = null) : base(nameof(Gpt2ForSequenceClassification))
    {
        this.config = config;
        transformer = new Gpt2Model(config, device, dtype);
        score = nn.Linear(config.NEmbd, config.NumLabels, hasBias: false, device: device, dtype: dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int NumLabels => config.NumLabels;
    public string ProblemType => config.EffectiveProblemType;
    public string ClassifierModuleName => nameof(score);

    internal override string ArchitectureName => "GPT2ForSequenceClassification";
    internal override string BaseModelPrefix => "transformer.";
    internal override bool IsTaskHead(string parameterName) => parameterName.StartsWith("score.", StringComparison.Ordinal);
    internal override bool IgnoresCheckpointKey(string key) => key == CheckpointLayout.TiedHeadKey;

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var hidden = transformer.Forward(inputIds, attentionMask, null);                  // (batch, seq, d)
        return score.forward(LastTokenPooling.Pool(hidden, attentionMask));               // (batch, num_labels)
    }

    protected override void AfterInitialization(Generator? generator, Func<string, bool>? only) =>
        Gpt2Model.ScaleResidualProjections(this, config, generator, only);
}
