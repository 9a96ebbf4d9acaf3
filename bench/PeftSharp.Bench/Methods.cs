using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.DualLora;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// A fine-tuning method as the CLI builds it at the budget of LoRA rank 8 (<see cref="PeftMethod.ForBudget"/>: LoRA / DoRA
/// r = 8, Dual LoRA r1 = r2 = 4, AdaLoRA init_r = 8, LoRA² K = 8; α = 16), every linear layer adapted.
/// </summary>
internal sealed record Method(string Label, string Name, AdapterConfig? Config)
{
    private const int Budget = 8;

    /// <summary>Every method compared by default, plus Dual LoRA without its memory-efficient function (for the memory comparison).</summary>
    public static IReadOnlyList<Method> All { get; } =
    [
        .. PeftMethods.ComparedByDefault.Select(m => new Method(m is DualLoraMethod ? "Dual LoRA (efficient)" : m.Title, m.Name, m.ForBudget(Budget))),
        new("Dual LoRA (naive)", "dual-lora", ((DualLoraConfig)PeftMethods.Get("dual-lora").ForBudget(Budget)!) with { MemoryEfficient = false }),
    ];

    public static Method Full => All.First(m => m.Config is null);
    public static Method Lora => All.First(m => m.Name == "lora");
    public static Method DualLora => All.First(m => m.Name == "dual-lora");
    public static Method DualLoraNaive => All.First(m => m.Config is DualLoraConfig { MemoryEfficient: false });

    /// <summary>
    /// The method applied to <paramref name="model"/>, its hooks driven as the trainer drives them.
    /// <paramref name="totalSteps"/> sizes the AdaLoRA / LoRA² budget schedule (tinit = 10 %, tfinal = 20 % of it).
    /// </summary>
    public ITrainable Apply(nn.Module model, long totalSteps, Action<string>? saveFullModel = null)
    {
        if (Config is null) return new FullTrainable(model, saveFullModel ?? (_ => { }));
        var trainable = new PeftTrainable(PeftModel.Create(model, Config with { TargetModules = TargetModules.AllLinear }));
        trainable.PrepareTraining(totalSteps, warmupSteps: 0);
        return trainable;
    }
}
