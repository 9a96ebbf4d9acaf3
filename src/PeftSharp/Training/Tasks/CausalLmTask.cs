using PeftSharp.Data;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Training.Tasks;

/// <summary>Causal language modelling: mean cross-entropy over the supervised shifted tokens (HF convention).</summary>
public sealed class CausalLmTask(ICausalLanguageModel model, IReadOnlyList<EncodedExample> examples, int padTokenId, double labelSmoothing = 0) : ITrainingTask
{
    public IReadOnlyList<EncodedExample> TrainExamples => examples;
    public int PadTokenId => padTokenId;
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["LabelSmoothing"] = RunFingerprint.Json(labelSmoothing) };

    public Tensor Loss(Batch batch) => Losses.CausalLm(model.Forward(batch.InputIds, batch.AttentionMask), batch.Labels!, labelSmoothing);
}

/// <summary>Sequence classification (cross-entropy), or regression (MSE) for single-output heads such as STS-B.</summary>
public sealed class ClassificationTask(ISequenceClassificationModel model, IReadOnlyList<EncodedExample> examples, int padTokenId) : ITrainingTask
{
    public IReadOnlyList<EncodedExample> TrainExamples => examples;
    public int PadTokenId => padTokenId;

    public Tensor Loss(Batch batch) => Losses.Classification(model.Forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds), batch);
}
