using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// What the trainer trains: a PEFT-wrapped model or a fully fine-tuned one. It owns the method-specific hooks
/// (Dual LoRA's γ ramp, the AdaLoRA / LoRA² rank allocator, regularisers) so the trainer drives them every step
/// and users cannot forget them.
/// </summary>
public interface ITrainable
{
    nn.Module Module { get; }
    /// <summary>"lora", "dual-lora", "full", ...: for logs and checkpoint compatibility checks.</summary>
    string MethodName { get; }
    IReadOnlyList<TrainableParameter> TrainableParameters();
    /// <summary>The regularisation term to add to the loss, or null when the method has none.</summary>
    Tensor? RegularizationLoss();
    /// <summary>Before the forward passes of optimizer step <paramref name="step"/> (0-based).</summary>
    void BeforeStep(long step);
    /// <summary>After the optimizer and scheduler step <paramref name="step"/>, before gradients are zeroed.</summary>
    void AfterOptimizerStep(long step);
    /// <summary>After the last step of a run that was not interrupted, before the final evaluation and <see cref="SaveResult"/>.</summary>
    void OnTrainingFinished() { }
    /// <summary>Writes the trained result: an adapter folder (PEFT format) or a full model checkpoint.</summary>
    void SaveResult(string directory);
    /// <summary>Method state for a checkpoint (tensors by name, scalars as strings).</summary>
    (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveMethodState();
    void LoadMethodState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values);
}
