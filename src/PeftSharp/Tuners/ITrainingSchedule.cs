using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// What a method does between optimizer steps, owned by the <see cref="PeftModel"/> and driven by its
/// <see cref="PeftModel.AfterOptimizerStep"/>: AdaLoRA / LoRA²'s rank allocator, Dual LoRA's warm-up ramp.
/// </summary>
public interface ITrainingSchedule : IDisposable
{
    /// <summary>Brings the adapters to where a run stands after <paramref name="stepsTaken"/> optimizer steps (at creation and after a resume).</summary>
    void Seek(long stepsTaken);

    /// <summary>After optimizer step <paramref name="step"/> (0-based) and before gradients are zeroed.</summary>
    void AfterOptimizerStep(long step);

    /// <summary>The state a checkpoint needs to resume exactly: tensors by name, scalars as strings.</summary>
    (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveState();

    /// <summary>Restores <see cref="SaveState"/>.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values);
}
