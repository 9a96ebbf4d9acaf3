using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// What the trainer trains: a PEFT-wrapped model (<see cref="PeftTrainable"/>) or a fully fine-tuned one
/// (<see cref="FullTrainable"/>). The method's own behaviour between steps lives in the library behind these calls,
/// so the trainer needs nothing method-specific.
/// </summary>
public interface ITrainable
{
    nn.Module Module { get; }
    /// <summary>"lora", "dual-lora", "full", ...: for logs and checkpoint compatibility checks.</summary>
    string MethodName { get; }
    IReadOnlyList<TrainableParameter> TrainableParameters();
    /// <summary>
    /// The method's settings that shape the result, by name (an adapter's configuration fields by their JSON names);
    /// checkpoints record them and a resume must match them.
    /// </summary>
    IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();
    /// <summary>The optimizer groups (weight decay only on weights and factors; LoRA+'s rate on B).</summary>
    IReadOnlyList<ParameterGroup> ParameterGroups(double learningRate, double weightDecay);
    /// <summary>Before step 0 of a run of <paramref name="totalSteps"/> optimizer steps with a learning-rate warm-up of <paramref name="warmupSteps"/>.</summary>
    void PrepareTraining(long totalSteps, int warmupSteps) { }
    /// <summary>The regularisation term to add to the loss, or null when the method has none.</summary>
    Tensor? RegularizationLoss();
    /// <summary>After each optimizer step, before gradients are zeroed.</summary>
    void AfterOptimizerStep() { }
    /// <summary>After the last step of a run that was not interrupted, before the final evaluation and <see cref="SaveResult"/>.</summary>
    void OnTrainingFinished() { }
    /// <summary>Writes the trained result: an adapter folder (PEFT format) or a full model checkpoint.</summary>
    void SaveResult(string directory);
    /// <summary>Method state for a checkpoint (tensors by name, scalars as strings).</summary>
    (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveMethodState() =>
        (new Dictionary<string, Tensor>(), new Dictionary<string, string>());
    void LoadMethodState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values) { }
}
