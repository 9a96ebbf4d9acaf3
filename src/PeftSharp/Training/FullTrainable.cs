using PeftSharp.Tuners;
using PeftSharp.Tuners.Full;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>Full fine-tuning, the baseline "method": every parameter trains; the result is a whole model checkpoint.</summary>
public sealed class FullTrainable : ITrainable
{
    private readonly Action<string> saveModel;

    /// <summary>Trains every parameter of <paramref name="module"/>; <paramref name="saveModel"/> writes it to a folder (for HuggingFace models: config.json + model.safetensors in the layout it was loaded from).</summary>
    public FullTrainable(nn.Module module, Action<string> saveModel)
    {
        Module = module;
        this.saveModel = saveModel;
        foreach (var p in module.parameters()) p.requires_grad = true;
    }

    public nn.Module Module { get; }
    public string MethodName => FullFineTuningMethod.MethodName;

    /// <summary>Every parameter; 1-D ones (biases, norms) get no weight decay. Tied parameters appear once.</summary>
    public IReadOnlyList<TrainableParameter> TrainableParameters() =>
        Module.named_parameters()
            .DistinctBy(p => p.parameter.Handle)
            .Select(p => new TrainableParameter(p.name, p.parameter, p.parameter.dim() <= 1 ? ParameterRole.BiasOrNorm : ParameterRole.Weight))
            .ToList();

    public IReadOnlyList<ParameterGroup> ParameterGroups(double learningRate, double weightDecay) =>
        Tuners.ParameterGroups.Build(TrainableParameters(), learningRate, weightDecay);

    public Tensor? RegularizationLoss() => null;
    public void SaveResult(string directory) { using var noGrad = no_grad(); saveModel(directory); }
}
