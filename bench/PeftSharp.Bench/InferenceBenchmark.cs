using System.Text;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// forward latency of the GPT-2 stack with a LoRA adapter, unmerged and merged
/// (<see cref="PeftModel.MergeAndUnload"/>), over the same stack without adapter, timed interleaved.
/// </summary>
internal static class InferenceBenchmark
{
    public static string Report(BenchSettings settings)
    {
        using var workload = new Gpt2StackWorkload(settings);
        using var baseModel = workload.CreateModel();
        using var adapted = workload.CreateModel();
        var peft = PeftModel.Create(adapted, Method.Lora.Config! with { TargetModules = TargetModules.AllLinear });
        using (no_grad())
            foreach (var p in peft.TrainableParameters()) p.Parameter.normal_(0, 0.02); // a non-zero update, as after training
        baseModel.eval();
        adapted.eval();
        using var noGrad = no_grad();
        Action Forward(nn.Module<Tensor, Tensor> model) => () => { using var scope = NewDisposeScope(); model.call(workload.Input); };

        Progress.Log("inference: base vs LoRA unmerged");
        var unmerged = Measure.MedianMilliseconds([Forward(baseModel), Forward(adapted)], settings.Warmup, settings.Repetitions);
        using var expected = adapted.call(workload.Input);
        peft.MergeAndUnload();
        Progress.Log("inference: base vs LoRA merged");
        var merged = Measure.MedianMilliseconds([Forward(baseModel), Forward(adapted)], settings.Warmup, settings.Repetitions);
        using var difference = (adapted.call(workload.Input) - expected).abs().max();

        var text = new StringBuilder();
        text.AppendLine("## Merged-model inference").AppendLine();
        text.AppendLine($"Forward pass (eval, no_grad) of the §1 GPT-2 stack: {workload.Description}. LoRA r = 8 with non-zero factors; each variant is " +
                        $"timed interleaved with the base model (no adapter); median of {settings.Repetitions} after {settings.Warmup} warm-up. " +
                        $"Merged output vs unmerged output: max |Δ| = {difference.item<float>():G3}.").AppendLine();
        text.Append(Markdown.Table(["model", "forward (ms)", "base in the same run (ms)", "× base"],
        [
            ["LoRA, unmerged", Markdown.Number(unmerged[1], 1), Markdown.Number(unmerged[0], 1), Markdown.Ratio(unmerged[1] / unmerged[0])],
            ["LoRA, merged (MergeAndUnload)", Markdown.Number(merged[1], 1), Markdown.Number(merged[0], 1), Markdown.Ratio(merged[1] / merged[0])],
        ])).AppendLine();
        double ratio = merged[1] / merged[0];
        text.AppendLine(Markdown.Target("merged inference ≤ 1.02× base", ratio <= 1.02,
            $"{Markdown.Ratio(ratio)}: {Markdown.Number(merged[1], 1)} ms vs {Markdown.Number(merged[0], 1)} ms"));
        return text.AppendLine().ToString();
    }
}
