using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>A model with a sequence-classification head: an encoder (BERT, RoBERTa, DeBERTa-v2/v3) or a decoder read at its last real token (GPT-2, LLaMA family).</summary>
public interface ISequenceClassificationModel : IPretrainedModel
{
    /// <summary>
    /// Logits (batch, num_labels) for <paramref name="inputIds"/> (batch, seq) int64;
    /// <paramref name="attentionMask"/> (batch, seq) 1 = real token; <paramref name="tokenTypeIds"/>
    /// (batch, seq) segment ids for sentence pairs (zeros when null; ignored by models without segments).
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null);

    /// <summary>Number of outputs; 1 means regression (STS-B).</summary>
    int NumLabels { get; }

    /// <summary>HF's <c>problem_type</c>: regression, single_label_classification or multi_label_classification.</summary>
    string ProblemType { get; }

    /// <summary>Name of the head module (<c>classifier</c>, or <c>score</c> for decoders): the PEFT <c>modules_to_save</c> target.</summary>
    string ClassifierModuleName { get; }
}
