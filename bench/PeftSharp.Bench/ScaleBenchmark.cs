using System.Diagnostics;
using System.Text;
using PeftSharp.Data;
using PeftSharp.Models;
using PeftSharp.Models.Llama;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// A LLaMA-shaped model (random weights, bfloat16, no grouped-query attention) takes LoRA training steps with activation
/// checkpointing: its peak resident memory and seconds per step. LLaMA-7B's shape by default; <c>--scale=LxHxT</c> runs
/// L layers of hidden size H (MLP and heads scaled as LLaMA-7B's: 11008/4096 · H, H/128 heads) on 1 × T tokens.
/// </summary>
internal static class ScaleBenchmark
{
    public static string Report(BenchSettings settings)
    {
        var (layers, hidden, tokens) = (settings.ScaleLayers, settings.ScaleHidden, settings.ScaleTokens);
        var config = new LlamaConfig
        {
            NumHiddenLayers = layers, HiddenSize = hidden, IntermediateSize = (int)Math.Round(11008.0 / 4096 * hidden),
            NumAttentionHeads = Math.Max(1, hidden / 128), VocabSize = settings.IsSmoke ? 512 : 32000, MaxPositionEmbeddings = Math.Max(2048, tokens),
        };
        long available = MemAvailableBytes();
        Progress.Log($"scale: {layers} layers × {hidden} hidden, 1 × {tokens} tokens; {available / (1 << 30)} GiB available");
        Measure.ReleaseFreeMemory();
        long start = Measure.ResidentBytes();
        var clock = Stopwatch.StartNew();
        using var model = (ICausalLanguageModel)PretrainedModelLoader.Create(config, ScalarType.BFloat16, seed: 0);
        double buildSeconds = clock.Elapsed.TotalSeconds;
        model.GradientCheckpointing = true;
        using var peft = PeftModel.Create(model.Module, new LoraConfig { R = 8, LoraAlpha = 16, TargetModules = TargetModules.FromNames("q_proj", "v_proj") });
        using var optimizer = new PeftSharp.Training.AdamW(peft.ParameterGroups(learningRate: 1e-4, weightDecay: 0));
        model.Module.train();
        long parameters = model.Module.parameters().Sum(p => p.numel());
        long built = Measure.ResidentBytes();
        var ids = randint(0, config.VocabSize, [1, tokens]);
        Measure.ResetPeakResident();
        var seconds = new List<double>();
        for (int step = 0; step < settings.ScaleSteps; step++)
        {
            Progress.Log($"scale: step {step + 1} of {settings.ScaleSteps}");
            clock.Restart();
            using (var scope = NewDisposeScope())
            {
                Losses.CausalLm(model.Forward(ids), ids).backward();
                optimizer.Step();
                peft.AfterOptimizerStep();
                optimizer.ZeroGrad();
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        long peak = Measure.PeakResidentBytes();
        var text = new StringBuilder();
        text.AppendLine($"## Scale: a LLaMA-shaped model in bfloat16 with LoRA and activation checkpointing ({layers} layers × {hidden})").AppendLine();
        text.AppendLine($"Random weights, {layers} layers, hidden {hidden}, MLP {config.IntermediateSize}, {config.NumAttentionHeads} heads (no grouped-query attention), " +
                        $"vocabulary {config.VocabSize}, {parameters / 1e9:F2} B parameters in bfloat16; LoRA r = 8 on q_proj, v_proj (float32, AdamW); " +
                        $"`--gradient-checkpointing`; batch 1 × {tokens} tokens; {settings.ScaleSteps} steps. {available / (1 << 30)} GiB were available before it started.").AppendLine();
        text.Append(Markdown.Table(["measure", "value"],
        [
            ["build (random init)", $"{buildSeconds:F0} s"],
            ["resident: process before / with the model built (MB)", $"{Markdown.Megabytes(start)} / {Markdown.Megabytes(built)}"],
            ["peak resident during the steps (MB)", Markdown.Megabytes(peak)],
            ["peak above the built model (MB)", Markdown.Megabytes(peak - built)],
            ["seconds per step", string.Join(", ", seconds.Select(s => s.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))],
        ])).AppendLine();
        return text.ToString();
    }

    private static long MemAvailableBytes() =>
        long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
