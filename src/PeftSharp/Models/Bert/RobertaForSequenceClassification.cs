using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Bert;

/// <summary>HF RobertaClassificationHead: dropout → dense → tanh → dropout → out_proj on the first token (&lt;s&gt;).</summary>
internal sealed class RobertaClassificationHead : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> dense;    // (d → d)
    public nn.Module<Tensor, Tensor> out_proj; // (d → num_labels)
    private readonly double dropout;

    public RobertaClassificationHead(BertConfig config, Device? device, ScalarType? dtype) : base(nameof(RobertaClassificationHead))
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        out_proj = nn.Linear(config.HiddenSize, config.NumLabels, true, device, dtype);
        dropout = config.EffectiveClassifierDropout;
        RegisterComponents();
    }

    /// <summary>hidden (batch, seq, d) → (batch, num_labels).</summary>
    public override Tensor forward(Tensor hidden)
    {
        var x = nn.functional.dropout(hidden.select(1, 0), dropout, training);
        x = nn.functional.dropout(torch.tanh(dense.forward(x)), dropout, training);
        return out_proj.forward(x);
    }
}

/// <summary>HF <c>RobertaForSequenceClassification</c>: <c>roberta.*</c> (no pooler) and <c>classifier.dense</c>, <c>classifier.out_proj</c>.</summary>
internal sealed class RobertaForSequenceClassification : PretrainedModel, ISequenceClassificationModel
{
    public BertModel roberta;
    public nn.Module<Tensor, Tensor> classifier; // RobertaClassificationHead; typed loosely so modules_to_save can wrap it
    private readonly BertConfig config;

    public RobertaForSequenceClassification(BertConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(RobertaForSequenceClassification))
    {
        this.config = config;
        roberta = new BertModel(config, addPoolingLayer: false, device, dtype);
        classifier = new RobertaClassificationHead(config, device, dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int NumLabels => config.NumLabels;
    public string ProblemType => config.EffectiveProblemType;
    public string ClassifierModuleName => nameof(classifier);

    internal override string ArchitectureName => "RobertaForSequenceClassification";
    internal override string BaseModelPrefix => "roberta.";
    internal override bool IsTaskHead(string parameterName) => parameterName.StartsWith("classifier.", StringComparison.Ordinal);

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null) =>
        classifier.forward(roberta.Forward(inputIds, attentionMask, tokenTypeIds));       // (batch, num_labels)

    protected override void AfterInitialization(Generator? generator, Func<string, bool>? only) =>
        EncoderInit.ZeroPaddingRows(roberta.embeddings, config, only);
}
