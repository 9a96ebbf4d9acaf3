using System.Text.Json;
using PeftSharp.Tuners;
using PeftSharp.Tuners.RankAllocation;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>Trains the active adapter of a <see cref="PeftModel"/>, driving its method's hooks.</summary>
public sealed class PeftTrainable : ITrainable, IDisposable
{
    readonly RankAllocator? allocator;

    /// <summary>Wraps <paramref name="model"/>; <paramref name="methodName"/> names the method in logs; <paramref name="totalSteps"/> drives the rank allocator's budget schedule.</summary>
    public PeftTrainable(PeftModel model, string methodName, long totalSteps)
    {
        Model = model;
        MethodName = methodName;
        if (model.ActiveConfig is RankAdaptiveConfig)
            allocator = RankAllocator.For(model, checked((int)totalSteps));
    }

    public PeftModel Model { get; }
    public nn.Module Module => Model.Model;
    public string MethodName { get; }
    public RankAllocator? Allocator => allocator;

    public IReadOnlyList<TrainableParameter> TrainableParameters() => Model.TrainableParameters();
    public Tensor? RegularizationLoss() => Model.HasRegularization ? Model.RegularizationLoss() : null;
    public void BeforeStep(long step) => Model.OnTrainingStep(step);
    public void AfterOptimizerStep(long step) => allocator?.Step(step);
    public void OnTrainingFinished() => Model.OnTrainingFinished();

    public void SaveResult(string directory)
    {
        using var noGrad = no_grad();
        Model.Save(directory);
    }

    public (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveMethodState()
    {
        if (allocator is null) return (new Dictionary<string, Tensor>(), new Dictionary<string, string>());
        var state = allocator.SaveState();
        return (state.Tensors.ToDictionary(p => "allocator." + p.Key, p => p.Value),
            new Dictionary<string, string>
            {
                ["allocator.masks"] = JsonSerializer.Serialize(state.Masks),
                ["allocator.frozen"] = state.Frozen ? "true" : "false",
            });
    }

    public void LoadMethodState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values)
    {
        if (allocator is null) return;
        var masks = JsonSerializer.Deserialize<Dictionary<string, bool[]>>(values["allocator.masks"])!;
        allocator.LoadState(new RankAllocatorState(
            tensors.Where(p => p.Key.StartsWith("allocator.", StringComparison.Ordinal)).ToDictionary(p => p.Key["allocator.".Length..], p => p.Value),
            masks, values["allocator.frozen"] == "true"));
    }

    public void Dispose() => allocator?.Dispose();
}
