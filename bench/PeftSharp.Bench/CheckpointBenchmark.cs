using System.Text;

namespace PeftSharp.Bench;

/// <summary>
/// Activation checkpointing: LoRA training steps on GPT-2 small's 12 blocks (batch 1) over sequence lengths, with and
/// without, their activation memory and time.
/// </summary>
internal static class CheckpointBenchmark
{
    private sealed record Point(int Sequence, double PlainMs, double CheckpointedMs, long PlainBytes, long CheckpointedBytes)
    {
        public double MemoryRatio => (double)PlainBytes / CheckpointedBytes;
        public double TimeRatio => CheckpointedMs / PlainMs;
    }

    /// <summary>Median step time and the memory the steps need above the built model (activations; LoRA's gradients and state are small).</summary>
    private static (double Ms, long Bytes) Measure(Workload workload, bool checkpointing, BenchSettings settings)
    {
        using var step = new TrainingStep(workload, Method.Lora, checkpointing: checkpointing);
        PeftSharp.Bench.Measure.ReleaseFreeMemory();
        long built = PeftSharp.Bench.Measure.ResidentBytes();
        PeftSharp.Bench.Measure.ResetPeakResident();
        double ms = PeftSharp.Bench.Measure.MedianMilliseconds(step.Run, settings.HalfWarmup, settings.HalfRepetitions);
        return (ms, Math.Max(1, PeftSharp.Bench.Measure.PeakResidentBytes() - built));
    }

    public static string Report(BenchSettings settings)
    {
        var points = new List<Point>();
        foreach (var sequence in settings.CheckpointSequences)
        {
            using var workload = new Gpt2StackWorkload(settings with { StackBlocks = settings.CheckpointBlocks, Batch = 1, Sequence = sequence });
            Progress.Log($"checkpointing: {sequence} tokens");
            var plain = Measure(workload, checkpointing: false, settings);
            var checkpointed = Measure(workload, checkpointing: true, settings);
            points.Add(new Point(sequence, plain.Ms, checkpointed.Ms, plain.Bytes, checkpointed.Bytes));
        }
        var text = new StringBuilder();
        text.AppendLine("## Activation checkpointing").AppendLine();
        text.AppendLine($"LoRA (r = 8, every projection) training steps of §1 on {settings.CheckpointBlocks} GPT-2-small blocks (d = 768, float32, no dropout), " +
                        "batch 1, without and with `--gradient-checkpointing` (each block keeps only its input and is recomputed in backward). " +
                        "Activation memory: peak resident memory over the steps minus the resident memory with the model and adapter built " +
                        $"(LoRA's gradients and optimizer state are under 1 MB). Time: median of {settings.HalfRepetitions} steps after {settings.HalfWarmup} warm-up.").AppendLine();
        text.Append(Markdown.Table(["tokens", "plain memory (MB)", "checkpointed memory (MB)", "memory saved", "plain step (ms)", "checkpointed step (ms)", "time ×"],
            points.Select(p => (IReadOnlyList<string>)[p.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markdown.Megabytes(p.PlainBytes), Markdown.Megabytes(p.CheckpointedBytes), Markdown.Ratio(p.MemoryRatio),
                Markdown.Number(p.PlainMs, 1), Markdown.Number(p.CheckpointedMs, 1), Markdown.Ratio(p.TimeRatio)]))).AppendLine();
        if (points.FirstOrDefault(p => p.Sequence == 1024) is { } at1024)
            text.AppendLine(Markdown.Target("≥ 3× less activation memory at 1,024 tokens for ≤ 1.4× the step time", at1024.MemoryRatio >= 3 && at1024.TimeRatio <= 1.4,
                $"{Markdown.Ratio(at1024.MemoryRatio)} less memory ({Markdown.Megabytes(at1024.PlainBytes)} → {Markdown.Megabytes(at1024.CheckpointedBytes)} MB), " +
                $"{Markdown.Ratio(at1024.TimeRatio)} the time"));
        return text.AppendLine().ToString();
    }
}
