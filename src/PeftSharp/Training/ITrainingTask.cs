using PeftSharp.Data;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>A task the trainer optimises: its training examples and how a batch becomes a loss.</summary>
public interface ITrainingTask
{
    IReadOnlyList<EncodedExample> TrainExamples { get; }
    int PadTokenId { get; }
    /// <summary>Settings of the loss that shape the result, by their library names (checkpoints record them; a resume must match).</summary>
    IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();
    /// <summary>Forward pass and task loss of one batch (the module is in training mode).</summary>
    Tensor Loss(Batch batch);
}
