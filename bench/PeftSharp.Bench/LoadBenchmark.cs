using System.Text;
using PeftSharp.IO;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// Issue 8 §5b: checkpoint load throughput. Writes a GPT-2-small model.safetensors with PeftSharp's writer to a
/// temporary folder, then times <see cref="PretrainedModelLoader.Load"/> and the bare safetensors reader on it.
/// </summary>
internal static class LoadBenchmark
{
    public static string Report(BenchSettings settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"peftsharp-bench-{Guid.NewGuid():N}");
        try
        {
            Progress.Log("load: writing the checkpoint");
            using (var model = PretrainedModelLoader.Create(settings.Checkpoint, seed: 0)) PretrainedModelLoader.Save(model, directory);
            long bytes = new FileInfo(Path.Combine(directory, SafetensorsCheckpoint.SingleFile)).Length;
            Measure.ReleaseFreeMemory();

            Progress.Log("load: PretrainedModelLoader.Load");
            double load = Measure.MedianMilliseconds(() => { using var model = PretrainedModelLoader.Load(directory); }, settings.Warmup, settings.Repetitions);
            Progress.Log("load: safetensors reader");
            double read = Measure.MedianMilliseconds(() =>
            {
                using var checkpoint = SafetensorsCheckpoint.Open(directory);
                foreach (var key in checkpoint.Keys) { using var tensor = checkpoint.ReadTensor(key); }
            }, settings.Warmup, settings.Repetitions);
            double build = Measure.MedianMilliseconds(() => { using var model = PretrainedModelLoader.Build(settings.Checkpoint, ScalarType.Float32, null); },
                settings.Warmup, settings.Repetitions);

            double MegabytesPerSecond(double ms) => bytes / 1048576.0 / (ms / 1000);
            var text = new StringBuilder();
            text.AppendLine("## Checkpoint load throughput (issue 8 §5)").AppendLine();
            text.AppendLine($"A GPT-2 checkpoint ({settings.Checkpoint.NLayer} layers, d = {settings.Checkpoint.NEmbd}, vocab {settings.Checkpoint.VocabSize}; " +
                            $"model.safetensors of {Markdown.Megabytes(bytes)} MB float32) written by `PretrainedModelLoader.Save` to a temporary folder " +
                            "(deleted afterwards) and read back from the page cache (just written: this measures the reader, not the disk); " +
                            $"median of {settings.Repetitions} after {settings.Warmup} warm-up.").AppendLine();
            text.Append(Markdown.Table(["operation", "time (ms)", "MB/s of the file"],
            [
                ["`PretrainedModelLoader.Load` (build the model, read and copy every weight)", Markdown.Number(load, 1), Markdown.Number(MegabytesPerSecond(load), 0)],
                ["`SafetensorsCheckpoint.ReadTensor` of every tensor (raw reader)", Markdown.Number(read, 1), Markdown.Number(MegabytesPerSecond(read), 0)],
                ["building the architecture alone (random initialisation included)", Markdown.Number(build, 1), "–"],
            ]));
            return text.AppendLine().ToString();
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
