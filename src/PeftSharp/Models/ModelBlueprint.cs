using System.Globalization;
using System.Runtime.InteropServices;
using PeftSharp.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// The model a config describes, built on PyTorch's meta device: every parameter's name, shape and dtype without any
/// memory behind them. Loading checks it against the checkpoint's tensor shapes and the machine's memory before the
/// real model is allocated, so absurd sizes in config.json (n_embd 10⁹, n_layer 1000, a head of 10⁹ labels) fail
/// with one line instead of allocating gigabytes, being killed for memory or dying inside libtorch.
/// </summary>
internal static class ModelBlueprint
{
    private static readonly Device Meta = new(DeviceType.META);

    /// <summary>
    /// Checks <paramref name="config"/> built with <paramref name="head"/> against <paramref name="source"/> (when
    /// loading weights) and against memory (on the CPU); returns the checkpoint plan for <paramref name="source"/>.
    /// </summary>
    public static CheckpointPlan? Check(ModelConfig config, ScalarType dtype, Device? device, ModelHead head, ITensorSource? source, string sourceName)
    {
        using var blueprint = Build(config, dtype, head, sourceName);
        var plan = source is null ? null : CheckpointPlan.Create(blueprint, source.Keys);
        if (plan is not null && source is not null)
        {
            if (plan.Missing.Count > 0)
                throw new PeftSharpException(
                    $"{sourceName}: the checkpoint lacks {plan.Missing.Count} weight(s) a '{config.ModelType}' model needs: {CheckpointPlan.ListNames(plan.Missing)}");
            var parameters = blueprint.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
            foreach (var (name, key) in plan.Sources)
            {
                var shape = source.Shape(key);
                if (!shape.SequenceEqual(parameters[name]))
                    throw new PeftSharpException(
                        $"{sourceName}: tensor '{key}' has shape {ShapeText.Of(shape)}, the config needs {ShapeText.Of(parameters[name])} for {name}");
            }
        }
        if (device is null || device.type == DeviceType.CPU) RequireMemory(blueprint, sourceName);
        return plan;
    }

    private static PretrainedModel Build(ModelConfig config, ScalarType dtype, ModelHead head, string sourceName)
    {
        try
        {
            return PretrainedModelLoader.Build(config, dtype, Meta, head);
        }
        catch (ExternalException e)
        {
            throw new PeftSharpException($"{sourceName}: a model of the sizes in config.json cannot be built: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>The parameters and buffers alone must fit into the machine's memory (its physical memory or container limit).</summary>
    private static void RequireMemory(PretrainedModel blueprint, string sourceName)
    {
        double bytes = blueprint.parameters().Concat(blueprint.buffers()).Sum(t => (double)t.numel() * t.ElementSize);
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes <= available) return;
        long parameters = blueprint.parameters().Sum(p => p.numel());
        throw new PeftSharpException(string.Create(CultureInfo.InvariantCulture,
            $"{sourceName}: a model of these sizes has {parameters:N0} parameters ({bytes / (1L << 30):N1} GiB), more than the {available / (1L << 30):N1} GiB of memory of this machine; check the sizes in config.json (and the number of labels)"));
    }
}
