namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// Dual LoRA's warm-up ramp γ(t) = min(1, t / steps) after t optimizer steps (steps = 0: γ = 1 throughout), which
/// moves ΔW = f(θ) − (1 − γ)·f(θ₀) from the change since initialisation to the paper's f(θ).
/// </summary>
internal sealed class DualLoraWarmup(IReadOnlyList<DualLoraLayer> layers, int steps) : ITrainingSchedule
{
    internal static double Gamma(long stepsTaken, int steps) => steps <= 0 ? 1 : Math.Min(1.0, (double)stepsTaken / steps);

    public void Seek(long stepsTaken)
    {
        double gamma = Gamma(stepsTaken, steps);
        foreach (var layer in layers) layer.Gamma = gamma;
    }

    public void AfterOptimizerStep(long step) => Seek(step + 1);

    public (IReadOnlyDictionary<string, TorchSharp.torch.Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveState() =>
        (new Dictionary<string, TorchSharp.torch.Tensor>(), new Dictionary<string, string>());

    public void LoadState(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors, IReadOnlyDictionary<string, string> values) { }

    public void Dispose() { }
}
