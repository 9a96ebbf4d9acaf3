using PeftSharp.Training;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA+ (Hayou et al. 2024): plain LoRA trained with every B matrix at <c>ratio × lr</c>. It is an optimizer
/// recipe, not a layer; the saved adapter is a plain LoRA adapter.
/// </summary>
public static class LoraPlus
{
    public const double DefaultRatio = 16;

    public static IReadOnlyList<ParameterGroup> ParameterGroups(PeftModel model, double learningRate, double ratio = DefaultRatio, double weightDecay = 0) =>
        ratio > 0 && double.IsFinite(ratio)
            ? Training.ParameterGroups.Build(model.TrainableParameters(), learningRate, weightDecay, upLearningRateRatio: ratio)
            : throw new PeftSharpException($"loraplus_lr_ratio must be a positive number, got {ratio}");
}
