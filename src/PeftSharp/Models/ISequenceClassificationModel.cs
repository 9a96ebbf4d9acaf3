using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>An encoder with a sequence-classification head (BERT, RoBERTa).</summary>
public interface ISequenceClassificationModel : IPretrainedModel
{
    /// <summary>
    /// Logits (batch, num_labels) for <paramref name="inputIds"/> (batch, seq) int64;
    /// <paramref name="attentionMask"/> (batch, seq) 1 = real token; <paramref name="tokenTypeIds"/>
    /// (batch, seq) segment ids for sentence pairs (zeros when null).
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null);

    /// <summary>Number of outputs; 1 means regression (STS-B).</summary>
    int NumLabels { get; }

    /// <summary>HF's <c>problem_type</c>: regression, single_label_classification or multi_label_classification.</summary>
    string ProblemType { get; }

    /// <summary>Name of the head module (<c>classifier</c>): the PEFT <c>modules_to_save</c> target.</summary>
    string ClassifierModuleName { get; }
}
