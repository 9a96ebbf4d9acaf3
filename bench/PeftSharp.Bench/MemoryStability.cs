using PeftSharp.Data;
using PeftSharp.Models;
using PeftSharp.Models.Gpt2;
using PeftSharp.Training;
using PeftSharp.Training.Tasks;
using System.Text;

namespace PeftSharp.Bench;

/// <summary>
/// 1,000 steps of a tiny GPT-2 through PeftSharp's <see cref="Trainer"/> per method; the process's resident
/// memory is sampled every 100 steps and must not grow between the warm state (step 100) and the end.
/// </summary>
internal static class MemoryStability
{
    private static readonly Gpt2Config TinyGpt2 = new() { NLayer = 2, NEmbd = 64, NHead = 4, VocabSize = 256, NPositions = 64 };
    private const int Examples = 64, Length = 32, BatchSize = 8;

    private sealed class ResidentSampler : ITrainingObserver
    {
        public List<(long Step, long Bytes)> Samples { get; } = new();
        public void OnStep(StepReport report) => Samples.Add((report.Step, Measure.ResidentBytes()));
    }

    private sealed record Result(Method Method, IReadOnlyList<(long Step, long Bytes)> Samples, double MillisecondsPerStep)
    {
        public long Growth => Samples[^1].Bytes - Samples[0].Bytes;
        public double GrowthFraction => (double)Growth / Samples[0].Bytes;
    }

    private static Result Run(Method method, BenchSettings settings)
    {
        Progress.Log($"memory: {settings.StabilitySteps} steps, {method.Label}");
        var random = new Random(0);
        var examples = Enumerable.Range(0, Examples).Select(_ =>
        {
            var ids = Enumerable.Range(0, Length).Select(_ => random.Next(TinyGpt2.VocabSize)).ToArray();
            return new EncodedExample(ids, Labels: ids);
        }).ToList();
        var directory = Path.Combine(Path.GetTempPath(), $"peftsharp-bench-{Guid.NewGuid():N}");
        try
        {
            using var model = (ICausalLanguageModel)PretrainedModelLoader.Create(TinyGpt2, seed: 0);
            var trainable = method.Apply(model.Module, settings.StabilitySteps, d => PretrainedModelLoader.Save(model, d));
            var sampler = new ResidentSampler();
            var options = new TrainerOptions
            {
                OutputDirectory = directory, MaxSteps = settings.StabilitySteps, BatchSize = BatchSize, LearningRate = 1e-3,
                LoggingSteps = settings.StabilitySampleEvery,
            };
            var result = new Trainer(trainable, new CausalLmTask(model, examples, padTokenId: 0), null, options, sampler).Train();
            (trainable as IDisposable)?.Dispose();
            return new Result(method, sampler.Samples, result.TrainTime.TotalMilliseconds / result.Steps);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    public static string Report(BenchSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("## Memory stability over training").AppendLine();
        text.AppendLine($"GPT-2 with {TinyGpt2.NLayer} layers, d = {TinyGpt2.NEmbd}, vocab {TinyGpt2.VocabSize} (dropout 0.1 as in GPT-2), " +
                        $"{Examples} random sequences of {Length} tokens, batch {BatchSize}, {settings.StabilitySteps} steps of PeftSharp's `Trainer` " +
                        "(AdamW, lr 1e-3 linear decay, clipping at 1, every linear layer adapted, AdaLoRA / LoRA² scheduled over the run); " +
                        $"the process's resident memory (VmRSS) is read every {settings.StabilitySampleEvery} steps. Growth is from the first " +
                        "sample (warm) to the last.").AppendLine();
        var results = Method.All.Select(m => Run(m, settings)).ToList();
        text.Append(Markdown.Table(
            ["method", "ms / step", $"RSS at step {results[0].Samples[0].Step} (MB)", $"RSS at step {results[0].Samples[^1].Step} (MB)", "highest sample (MB)", "growth (MB)", "growth"],
            results.Select(r => (IReadOnlyList<string>)[r.Method.Label, Markdown.Number(r.MillisecondsPerStep, 1),
                Markdown.Megabytes(r.Samples[0].Bytes), Markdown.Megabytes(r.Samples[^1].Bytes), Markdown.Megabytes(r.Samples.Max(s => s.Bytes)),
                Markdown.Megabytes(r.Growth), Markdown.Percent(r.GrowthFraction)]))).AppendLine();
        foreach (var r in results)
            text.AppendLine(Markdown.Target($"resident memory growth < 2 % over {settings.StabilitySteps} steps ({r.Method.Label})", r.GrowthFraction < 0.02,
                $"{Markdown.Percent(r.GrowthFraction)}, {Markdown.Megabytes(r.Growth)} MB"));
        return text.AppendLine().ToString();
    }
}
