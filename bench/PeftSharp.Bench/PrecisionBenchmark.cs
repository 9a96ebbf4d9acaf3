using System.Text;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// float32 against bfloat16 mixed precision (frozen weights in bfloat16, adapters and optimizer state float32; full
/// fine-tuning through float32 master weights): one training step per method on each workload, its time and memory.
/// </summary>
internal static class PrecisionBenchmark
{
    private const ScalarType Half = ScalarType.BFloat16;

    public static string Report(BenchSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("## Mixed precision: float32 vs bfloat16").AppendLine();
        text.AppendLine("The steps of §1, once with the model in float32 and once with it in bfloat16 (`--dtype bfloat16`: frozen weights stored and " +
                        "multiplied in bfloat16, adapters, their gradients and AdamW's state in float32, full fine-tuning through float32 master " +
                        "weights, the loss in float32). bfloat16 time: median of " +
                        $"{settings.HalfRepetitions} steps after {settings.HalfWarmup} warm-up (float32: as §1). Memory: the step's training memory as in §1, " +
                        "the resident memory the built model and adapter take, and the exact bytes of the frozen parameters. The GEMM line times " +
                        "`torch.matmul` alone on the workload's largest forward product in each dtype: what the CPU's bfloat16 support gives.").AppendLine();
        var methods = Method.All.Where(m => m != Method.DualLoraNaive && (m == Method.Lora || settings.PrecisionMethods?.Contains(m.Name) != false)).ToList();
        var targets = new List<string>();
        foreach (var workload in Workload.Create(settings))
            using (workload)
            {
                var rows = new List<IReadOnlyList<string>>();
                var measured = new Dictionary<Method, (StepBenchmark.Result Single, StepBenchmark.Result Half)>();
                foreach (var method in methods)
                {
                    var (single, half) = measured[method] = (StepBenchmark.Run(workload, method, settings), StepBenchmark.Run(workload, method, settings, Half));
                    rows.Add([method.Label, Markdown.Number(single.Milliseconds, 1), Markdown.Number(half.Milliseconds, 1), Markdown.Ratio(single.Milliseconds / half.Milliseconds),
                        Markdown.Megabytes(single.TrainingBytes), Markdown.Megabytes(half.TrainingBytes), Markdown.Megabytes(single.ModelBytes), Markdown.Megabytes(half.ModelBytes),
                        $"{Markdown.Megabytes(single.FrozenBytes)} → {Markdown.Megabytes(half.FrozenBytes)}"]);
                }
                var gemm = workload.StepGemms(8).First(); // the first layer's forward product
                double singleGemm = GemmLimit.Milliseconds(gemm, settings), halfGemm = GemmLimit.Milliseconds(gemm, settings, Half);
                text.AppendLine($"### {workload.Name}: {workload.Description}").AppendLine();
                text.Append(Markdown.Table(["method", "float32 step (ms)", "bfloat16 step (ms)", "bfloat16 speed-up", "float32 training memory (MB)",
                    "bfloat16 training memory (MB)", "float32 model resident (MB)", "bfloat16 model resident (MB)", "frozen weights (MB)"], rows)).AppendLine();
                text.AppendLine($"GEMM {gemm.M}×{gemm.K}×{gemm.N}: float32 {Markdown.Number(gemm.Flops / singleGemm / 1e6, 1)} GFLOP/s, " +
                                $"bfloat16 {Markdown.Number(gemm.Flops / halfGemm / 1e6, 1)} GFLOP/s ({Markdown.Ratio(singleGemm / halfGemm)}).").AppendLine();
                var (lora, loraHalf) = measured[Method.Lora];
                double speedup = lora.Milliseconds / loraHalf.Milliseconds;
                targets.Add(Markdown.Target($"LoRA bfloat16 step ≥ 1.8× faster than float32 ({workload.Name})", speedup >= 1.8,
                    $"{Markdown.Ratio(speedup)}: {Markdown.Number(lora.Milliseconds, 1)} ms vs {Markdown.Number(loraHalf.Milliseconds, 1)} ms",
                    speedup >= 1.8 ? null : $"This CPU multiplies bfloat16 matrices at {Markdown.Ratio(singleGemm / halfGemm)} the float32 speed (GEMM line above): " +
                                            "libtorch's fast bfloat16 product needs AVX-512 (oneDNN), without it a scalar fallback runs."));
                double frozen = (double)loraHalf.FrozenBytes / lora.FrozenBytes, resident = (double)loraHalf.ModelBytes / lora.ModelBytes;
                targets.Add(Markdown.Target($"frozen-base memory halved under LoRA ({workload.Name})", frozen <= 0.5 + 1e-9,
                    $"frozen parameters {Markdown.Megabytes(lora.FrozenBytes)} → {Markdown.Megabytes(loraHalf.FrozenBytes)} MB ({Markdown.Ratio(frozen)}); " +
                    $"resident model + adapter {Markdown.Megabytes(lora.ModelBytes)} → {Markdown.Megabytes(loraHalf.ModelBytes)} MB ({Markdown.Ratio(resident)})"));
            }
        foreach (var target in targets) text.AppendLine(target);
        return text.AppendLine().ToString();
    }
}
