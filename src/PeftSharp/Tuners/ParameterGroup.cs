namespace PeftSharp.Tuners;

/// <summary>Parameters that share a learning rate and weight decay in the optimizer.</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<TrainableParameter> Parameters, double LearningRate, double WeightDecay);
