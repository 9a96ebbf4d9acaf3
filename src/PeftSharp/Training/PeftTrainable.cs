using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// Trains the active adapter of a <see cref="PeftModel"/>; the model itself runs its method's hooks. <paramref name="saveAlongside"/>
/// writes further files next to each saved adapter (a classifier's config.json with its class names).
/// </summary>
public sealed class PeftTrainable(PeftModel model, Action<string>? saveAlongside = null) : ITrainable
{
    public PeftModel Model { get; } = model;
    public nn.Module Module => Model.Model;
    public string MethodName => PeftMethods.NameOf(Model.ActiveConfig);

    public IReadOnlyDictionary<string, string> Settings => RunFingerprint.SettingsOf(Model.ActiveConfig);
    public IReadOnlyList<TrainableParameter> TrainableParameters() => Model.TrainableParameters();
    public IReadOnlyList<ParameterGroup> ParameterGroups(double learningRate, double weightDecay) => Model.ParameterGroups(learningRate, weightDecay);
    public void PrepareTraining(long totalSteps, int warmupSteps) => Model.PrepareTraining(totalSteps, warmupSteps);
    public Tensor? RegularizationLoss() => Model.HasRegularization ? Model.RegularizationLoss() : null;
    public void AfterOptimizerStep() => Model.AfterOptimizerStep();
    public void OnTrainingFinished() => Model.OnTrainingFinished();

    public void SaveResult(string directory)
    {
        using var noGrad = no_grad();
        Model.Save(directory);
        saveAlongside?.Invoke(directory);
    }

    public (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveMethodState() => Model.SaveTrainingState();

    public void LoadMethodState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values) => Model.LoadTrainingState(tensors, values);
}
