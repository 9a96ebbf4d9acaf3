using static TorchSharp.torch;
using System.Text;

namespace PeftSharp.Bench;

/// <summary>
/// one training step (forward + backward + AdamW, with the method's hooks) per method on each workload:
/// median step time and the memory the steps need above the built model, as ratios to LoRA and to full fine-tuning.
/// </summary>
internal static class StepBenchmark
{
    /// <summary>
    /// Median step time; peak resident memory during the steps minus the resident memory with the model and adapter built;
    /// the resident memory the built model and adapter take, and the bytes of its frozen parameters.
    /// </summary>
    public sealed record Result(double Milliseconds, long TrainingBytes, long TrainableParameters, long ModelBytes, long FrozenBytes);

    private static readonly Dictionary<(string Workload, string Method, ScalarType Dtype), Result> Measured = new();

    /// <summary>Measures <paramref name="method"/> on <paramref name="workload"/> in <paramref name="dtype"/> once per run; later calls reuse the result.</summary>
    public static Result Run(Workload workload, Method method, BenchSettings settings, ScalarType dtype = ScalarType.Float32)
    {
        if (Measured.TryGetValue((workload.Name, method.Label, dtype), out var known)) return known;
        Progress.Log($"step: {workload.Name}, {method.Label}, {dtype}");
        Measure.ReleaseFreeMemory();
        long before = Measure.ResidentBytes();
        using var step = new TrainingStep(workload, method, dtype);
        Measure.ReleaseFreeMemory();
        long built = Measure.ResidentBytes();
        Measure.ResetPeakResident();
        var (warmup, repetitions) = dtype == ScalarType.Float32 ? (settings.Warmup, settings.Repetitions) : (settings.HalfWarmup, settings.HalfRepetitions);
        double ms = Measure.MedianMilliseconds(step.Run, warmup, repetitions);
        var result = new Result(ms, Math.Max(0, Measure.PeakResidentBytes() - built), step.TrainableParameters, Math.Max(0, built - before), step.FrozenBytes);
        Measured[(workload.Name, method.Label, dtype)] = result;
        return result;
    }

    public static string Report(BenchSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("## One training step per method").AppendLine();
        text.AppendLine("A step is what `Trainer` does per optimizer step without data collation, clipping and logging: the method's hooks, " +
                        "forward, loss mean(y²) plus the method's regulariser, backward, PeftSharp's AdamW (lr 2e-4, no weight decay), the AdaLoRA / LoRA² " +
                        "rank allocator (schedule of 1,000 steps: the measured steps are in tinit, where every step updates importance scores). " +
                        "Budgets: LoRA / DoRA r = 8, Dual LoRA r1 = r2 = 4, AdaLoRA init_r = 8, LoRA² K = 8, α = 16 (as `MethodSettings` builds them). " +
                        $"Time: median of {settings.Repetitions} steps after {settings.Warmup} warm-up. " +
                        "Memory: peak resident memory over the warm-up and timed steps minus the resident memory with the model and adapter built " +
                        "(C heap trimmed first): gradients, optimizer state, activations, temporaries. libtorch's CPU allocator is malloc, so large " +
                        "tensors come and go with the resident set; small freed blocks stay cached in the heap.").AppendLine();
        var results = new Dictionary<(string, Method), Result>();
        var workloads = Workload.Create(settings);
        foreach (var workload in workloads)
        {
            foreach (var method in Method.All) results[(workload.Name, method)] = Run(workload, method, settings);
            var lora = results[(workload.Name, Method.Lora)];
            var full = results[(workload.Name, Method.Full)];
            text.AppendLine($"### {workload.Name}: {workload.Description}").AppendLine();
            text.Append(Markdown.Table(
                ["method", "trainable parameters", "step (ms)", "× LoRA", "× full", "training memory (MB)", "× LoRA", "× full"],
                Method.All.Select(m =>
                {
                    var r = results[(workload.Name, m)];
                    return (IReadOnlyList<string>)[m.Label, Markdown.Count(r.TrainableParameters), Markdown.Number(r.Milliseconds, 1),
                        Markdown.Ratio(r.Milliseconds / lora.Milliseconds), Markdown.Ratio(r.Milliseconds / full.Milliseconds),
                        Markdown.Megabytes(r.TrainingBytes), Markdown.Ratio((double)r.TrainingBytes / lora.TrainingBytes),
                        Markdown.Ratio((double)r.TrainingBytes / full.TrainingBytes)];
                }))).AppendLine();
            var dual = results[(workload.Name, Method.DualLora)];
            double stepRatio = dual.Milliseconds / full.Milliseconds;
            text.AppendLine(Markdown.Target($"Dual LoRA (efficient) step ≤ 1.2× full fine-tuning's step ({workload.Name})", stepRatio <= 1.2,
                $"{Markdown.Ratio(stepRatio)}: {Markdown.Number(dual.Milliseconds, 1)} ms vs {Markdown.Number(full.Milliseconds, 1)} ms",
                stepRatio <= 1.2 ? null : "Structural: Dual LoRA needs the full d×k gradient of the weight (the product full fine-tuning computes) " +
                                          "and adds the d×k elementwise work of ReLU(BA) ⊙ Sign(DC) in forward and backward.")).AppendLine();
        }
        text.AppendLine(MemoryTarget(workloads, results)).AppendLine();
        foreach (var workload in workloads) workload.Dispose();
        return text.ToString();
    }

    /// <summary>
    /// "Dual LoRA (efficient) peak memory ≤ LoRA's + one layer's d×k buffers" on the GPT-2 stack. One layer's d×k buffers
    /// are measured on the single projection, where Dual LoRA's excess over LoRA is exactly one layer's, counted in d×k
    /// float32 tensors; the allowance on the stack is that many tensors of its largest layer.
    /// </summary>
    private static string MemoryTarget(IReadOnlyList<Workload> workloads, Dictionary<(string, Method), Result> results)
    {
        var (stack, projection) = (workloads.OfType<Gpt2StackWorkload>().Single(), workloads.OfType<ProjectionWorkload>().Single());
        long Excess(Workload w, Method m) => results[(w.Name, m)].TrainingBytes - results[(w.Name, Method.Lora)].TrainingBytes;
        double buffersPerLayer = Excess(projection, Method.DualLora) / (projection.LargestWeightElements * 4.0);
        double allowance = buffersPerLayer * stack.LargestWeightElements * 4;
        long excess = Excess(stack, Method.DualLora);
        return Markdown.Target("Dual LoRA (efficient) training memory ≤ LoRA's + one layer's d×k buffers (GPT-2 stack)", excess <= allowance,
            $"excess over LoRA {Markdown.Megabytes(excess)} MB = {Markdown.Number(excess / (stack.LargestWeightElements * 4.0), 1)} d×k float32 tensors " +
            $"of its largest layer; one layer's buffers, measured as Dual LoRA's excess on the single projection, are " +
            $"{Markdown.Number(buffersPerLayer, 1)} d×k tensors = {Markdown.Megabytes((long)allowance)} MB at the stack's largest layer; " +
            $"naive Dual LoRA's excess: {Markdown.Megabytes(Excess(stack, Method.DualLoraNaive))} MB");
    }
}
