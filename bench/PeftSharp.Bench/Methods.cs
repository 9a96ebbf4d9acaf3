using PeftSharp.Training;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// A fine-tuning method as the CLI builds it (<see cref="MethodSettings"/>), with the equal budget of issue 8:
/// LoRA / DoRA r = 8, Dual LoRA r1 = r2 = 4, AdaLoRA init_r = 8, LoRA² K = 8; α = 16; every linear layer adapted.
/// </summary>
internal sealed record Method(string Label, MethodSettings Settings)
{
    public static Method Full { get; } = new("full fine-tuning", new() { Method = "full" });
    public static Method Lora { get; } = new("LoRA", new() { Method = "lora" });
    public static Method Dora { get; } = new("DoRA", new() { Method = "dora" });
    public static Method DualLoraNaive { get; } = new("Dual LoRA (naive)", new() { Method = "dual-lora", MemoryEfficient = false });
    public static Method DualLora { get; } = new("Dual LoRA (efficient)", new() { Method = "dual-lora" });
    public static Method AdaLora { get; } = new("AdaLoRA", new() { Method = "adalora" });
    public static Method Lora2 { get; } = new("LoRA²", new() { Method = "lora2" });

    public static IReadOnlyList<Method> All { get; } = [Full, Lora, Dora, DualLoraNaive, DualLora, AdaLora, Lora2];

    /// <summary>
    /// The method applied to <paramref name="model"/>, its hooks driven as the trainer drives them.
    /// <paramref name="totalSteps"/> sizes the AdaLoRA / LoRA² budget schedule (tinit = 10 %, tfinal = 20 % of it).
    /// </summary>
    public ITrainable Apply(nn.Module model, long totalSteps, Action<string>? saveFullModel = null)
    {
        if (Settings.IsFull) return new FullTrainable(model, saveFullModel ?? (_ => { }));
        var config = Settings.CreateConfig(TargetModules.AllLinear, learningRateWarmup: 0, totalSteps)!;
        return new PeftTrainable(PeftModel.Create(model, config), Settings.Method, totalSteps);
    }
}
