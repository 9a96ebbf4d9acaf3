using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Llama;

/// <summary>
/// HF <c>LlamaForSequenceClassification</c> (also <c>MistralForSequenceClassification</c>,
/// <c>Qwen2ForSequenceClassification</c>): <c>model.*</c> and <c>score</c> (bias-free linear
/// hidden_size → num_labels) read at each row's last real token (<see cref="LastTokenPooling"/>).
/// A language-model checkpoint's <c>lm_head.weight</c> is dropped silently; a missing <c>score</c> is
/// initialised with normal(0, initializer_range). token_type_ids are ignored (LLaMA has none).
/// </summary>
internal sealed class LlamaForSequenceClassification : PretrainedModel, ISequenceClassificationModel
{
    public LlamaModel model;
    public nn.Module<Tensor, Tensor> score; // Linear (d → num_labels), no bias
    private readonly LlamaConfig config;

    public LlamaForSequenceClassification(LlamaConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(LlamaForSequenceClassification))
    {
        this.config = config;
        model = new LlamaModel(config, device, dtype);
        score = nn.Linear(config.HiddenSize, config.NumLabels, hasBias: false, device: device, dtype: dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int NumLabels => config.NumLabels;
    public string ProblemType => config.EffectiveProblemType;
    public string ClassifierModuleName => nameof(score);

    internal override string ArchitectureName => config.ClassName("ForSequenceClassification");
    internal override string BaseModelPrefix => "model.";
    internal override bool IsTaskHead(string parameterName) => parameterName.StartsWith("score.", StringComparison.Ordinal);
    internal override bool IgnoresCheckpointKey(string key) => key == CheckpointLayout.TiedHeadKey;

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var hidden = model.Forward(inputIds, attentionMask, null);                        // (batch, seq, d)
        return score.forward(LastTokenPooling.Pool(hidden, attentionMask));               // (batch, num_labels)
    }
}
