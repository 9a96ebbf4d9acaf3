using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>HF DebertaV2Model: embeddings and encoder (the classifier path has no enhanced mask decoder).</summary>
internal sealed class DebertaV2Model : nn.Module
{
    public DebertaV2Embeddings embeddings;
    public DebertaV2Encoder encoder;

    public DebertaV2Model(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DebertaV2Model))
    {
        embeddings = new DebertaV2Embeddings(config, device, dtype);
        encoder = new DebertaV2Encoder(config, device, dtype);
        RegisterComponents();
    }

    /// <summary>inputIds (batch, seq) → hidden states (batch, seq, d).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        var mask = AttentionMasks.Normalize(attentionMask, inputIds.shape[0], inputIds.shape[1]);
        return encoder.Forward(embeddings.Forward(inputIds, tokenTypeIds, mask), mask);
    }
}

/// <summary>HF ContextPooler: dropout (pooler_dropout) on the first token, dense, activation (pooler_hidden_act).</summary>
internal sealed class ContextPooler : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> dense; // (d → d)
    private readonly DebertaV2Config config;

    public ContextPooler(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(ContextPooler))
    {
        this.config = config;
        dense = nn.Linear(config.HiddenSize, config.HiddenSize, true, device, dtype);
        RegisterComponents();
    }

    /// <summary>hidden (batch, seq, d) → (batch, d).</summary>
    public override Tensor forward(Tensor hidden) =>
        Activations.Apply(config.PoolerHiddenAct, dense.forward(nn.functional.dropout(hidden.select(1, 0), config.PoolerDropout, training)));
}

/// <summary>
/// HF <c>DebertaV2ForSequenceClassification</c> (DeBERTa-v2 and v3): <c>deberta.*</c>, <c>pooler.dense</c>
/// (ContextPooler on the first token), dropout (cls_dropout), <c>classifier</c> (d → num_labels). A base
/// checkpoint lacks the pooler and the classifier: both are initialised with a warning. HF's dropout
/// (StableDropout) is plain dropout in training.
/// </summary>
internal sealed class DebertaV2ForSequenceClassification : PretrainedModel, ISequenceClassificationModel
{
    public DebertaV2Model deberta;
    public nn.Module<Tensor, Tensor> pooler;     // ContextPooler; typed loosely so modules_to_save can wrap it
    public nn.Module<Tensor, Tensor> classifier; // Linear (d → num_labels)
    private readonly DebertaV2Config config;

    public DebertaV2ForSequenceClassification(DebertaV2Config config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(DebertaV2ForSequenceClassification))
    {
        this.config = config;
        deberta = new DebertaV2Model(config, device, dtype);
        pooler = new ContextPooler(config, device, dtype);
        classifier = nn.Linear(config.HiddenSize, config.NumLabels, true, device, dtype);
        Seal();
    }

    public override ModelConfig Config => config;
    public int NumLabels => config.NumLabels;
    public string ProblemType => config.EffectiveProblemType;
    public string ClassifierModuleName => nameof(classifier);

    internal override string ArchitectureName => "DebertaV2ForSequenceClassification";
    internal override string BaseModelPrefix => "deberta.";
    internal override bool IsTaskHead(string parameterName) =>
        parameterName.StartsWith("classifier.", StringComparison.Ordinal) || parameterName.StartsWith("pooler.", StringComparison.Ordinal);
    // HF ignores absolute position embeddings a checkpoint carries when position_biased_input is false.
    internal override bool IgnoresCheckpointKey(string key) =>
        !config.PositionBiasedInput && key.EndsWith("embeddings.position_embeddings.weight", StringComparison.Ordinal);

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var hidden = deberta.Forward(inputIds, attentionMask, tokenTypeIds);              // (batch, seq, d)
        var pooled = nn.functional.dropout(pooler.forward(hidden), config.EffectiveClsDropout, training); // (batch, d)
        return classifier.forward(pooled);                                                // (batch, num_labels)
    }

    protected override void AfterInitialization(Generator? generator, Func<string, bool>? only)
    {
        if (only is not null) return; // heads only: embeddings untouched
        using var noGrad = torch.no_grad();
        deberta.embeddings.word_embeddings.weight![config.PadTokenId].zero_(); // HF zeroes the padding_idx row
    }
}
