namespace PeftSharp.Tuners;

/// <summary>Splits trainable parameters into optimizer groups by role.</summary>
internal static class ParameterGroups
{
    /// <summary>
    /// Weight decay applies to weights and adapter factors, never to biases, norms or scales (λ, DoRA's magnitude).
    /// <paramref name="upLearningRateRatio"/> ≠ 1 is LoRA+: the up-projections (LoRA's B) and every one-dimensional
    /// trainable parameter (biases, norms, DoRA's magnitude) train at ratio × lr, as PEFT's
    /// <c>create_loraplus_optimizer</c> (and the LoRA+ authors' code it follows) groups them (docs/methods.md#lora-plus).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Build(IEnumerable<TrainableParameter> parameters, double learningRate, double weightDecay, double upLearningRateRatio = 1)
    {
        var all = parameters.ToList();
        static bool Decays(TrainableParameter p) => p.Role is ParameterRole.Down or ParameterRole.Up or ParameterRole.Weight;
        bool Raised(TrainableParameter p) => upLearningRateRatio != 1 && (p.Role == ParameterRole.Up || p.Parameter.dim() == 1);
        ParameterGroup Group(string name, bool decays, bool raised) => new(name,
            all.Where(p => Decays(p) == decays && Raised(p) == raised).ToList(),
            raised ? learningRate * upLearningRateRatio : learningRate,
            decays ? weightDecay : 0);
        ParameterGroup[] groups =
        [
            Group("decay", decays: true, raised: false),
            Group("no_decay", decays: false, raised: false),
            Group("up_scaled", decays: true, raised: true),
            Group("up_scaled_no_decay", decays: false, raised: true),
        ];
        return groups.Where(g => g.Parameters.Count > 0).ToList();
    }
}
