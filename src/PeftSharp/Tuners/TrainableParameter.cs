using TorchSharp.Modules;

namespace PeftSharp.Tuners;

/// <summary>One trainable parameter with its state-dict name and optimizer role.</summary>
public sealed record TrainableParameter(string Name, Parameter Parameter, ParameterRole Role);
