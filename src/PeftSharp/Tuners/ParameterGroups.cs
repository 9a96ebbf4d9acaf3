namespace PeftSharp.Tuners;

/// <summary>Splits trainable parameters into optimizer groups by role.</summary>
internal static class ParameterGroups
{
    /// <summary>
    /// Weight decay applies to weights and adapter factors, never to biases, norms or scales (λ, DoRA's magnitude).
    /// <paramref name="upLearningRateRatio"/> multiplies the learning rate of up-projections (LoRA's B): LoRA+ when &gt; 1.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Build(IEnumerable<TrainableParameter> parameters, double learningRate, double weightDecay, double upLearningRateRatio = 1)
    {
        var all = parameters.ToList();
        static bool Decays(ParameterRole role) => role is ParameterRole.Down or ParameterRole.Up or ParameterRole.Weight;
        var groups = new[]
        {
            new ParameterGroup("decay", all.Where(p => Decays(p.Role) && !(p.Role == ParameterRole.Up && upLearningRateRatio != 1)).ToList(), learningRate, weightDecay),
            new ParameterGroup("no_decay", all.Where(p => !Decays(p.Role)).ToList(), learningRate, 0),
            new ParameterGroup("up_scaled", all.Where(p => p.Role == ParameterRole.Up && upLearningRateRatio != 1).ToList(), learningRate * upLearningRateRatio, weightDecay),
        };
        return groups.Where(g => g.Parameters.Count > 0).ToList();
    }
}
