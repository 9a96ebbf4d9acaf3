using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Bert;

/// <summary>
/// HF <c>BertForSequenceClassification</c>: <c>bert.*</c> (with pooler), dropout, <c>classifier</c>
/// (d → num_labels) on the pooled first token.
/// </summary>
internal sealed class BertForSequenceClassification : PretrainedModel, ISequenceClassificationModel
{
    public BertModel bert;
    public nn.Module<Tensor, Tensor> classifier; // Linear (d → num_labels)
    private readonly BertConfig config;

    public BertForSequenceClassification(BertConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(BertForSequenceClassification))
    {
        this.config = config;
        bert = new BertModel(config, addPoolingLayer: true, device, dtype);
        classifier = nn.Linear(config.HiddenSize, config.NumLabels, true, device, dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int NumLabels => config.NumLabels;
    public string ProblemType => config.EffectiveProblemType;
    public string ClassifierModuleName => nameof(classifier);

    internal override string ArchitectureName => "BertForSequenceClassification";
    internal override string BaseModelPrefix => "bert.";
    internal override bool IsTaskHead(string parameterName) =>
        parameterName.StartsWith("classifier.", StringComparison.Ordinal) || parameterName.StartsWith("bert.pooler.", StringComparison.Ordinal);

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var hidden = bert.Forward(inputIds, attentionMask, tokenTypeIds);                 // (batch, seq, d)
        var pooled = nn.functional.dropout(bert.pooler!.forward(hidden), config.EffectiveClassifierDropout, training); // (batch, d)
        return classifier.forward(pooled);                                                // (batch, num_labels)
    }

    protected override void AfterInitialization(Generator? generator, Func<string, bool>? only) =>
        EncoderInit.ZeroPaddingRows(bert.embeddings, config, only);
}

/// <summary>HF's _init_weights zeroes the embedding rows of padding_idx.</summary>
internal static class EncoderInit
{
    public static void ZeroPaddingRows(BertEmbeddings embeddings, BertConfig config, Func<string, bool>? only)
    {
        if (only is not null) return; // heads only: embeddings untouched
        using var noGrad = torch.no_grad();
        embeddings.word_embeddings.weight![config.PadTokenId].zero_();
        if (config.ModelType == "roberta") embeddings.position_embeddings.weight![config.PadTokenId].zero_();
    }
}
