using System.Text;
using PeftSharp.IO;
using PeftSharp.IO.Gguf;
using PeftSharp.Models;
using PeftSharp.Workflows;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// checkpoint load throughput. Writes a GPT-2-small model.safetensors with PeftSharp's writer to a
/// temporary folder, then times <see cref="PretrainedModelLoader.Load"/> and the bare safetensors reader on it.
/// the same model exported to GGUF (f32 and q8_0; the shipped model's tokenizer, padded to the vocabulary, is
/// embedded), the export time, and the GGUF load throughput beside the safetensors figures.
/// </summary>
internal static class LoadBenchmark
{
    public static string Report(BenchSettings settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"peftsharp-bench-{Guid.NewGuid():N}");
        var exports = directory + "-gguf"; // export refuses to write into its input folder
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

            foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
                File.Copy(Path.Combine(DemoWorkflow.Assets(), "models", "wordnet-gpt2", file), Path.Combine(directory, file));
            var gguf = new Dictionary<string, (string Path, double Export, double Load, double Read)>();
            foreach (var type in new[] { "f32", "q8_0" })
            {
                var path = Path.Combine(exports, $"model-{type}.gguf");
                Progress.Log($"load: export to GGUF {type}");
                double export = Measure.MedianMilliseconds(() => ExportWorkflow.Model(directory, null, path, type), settings.Warmup, settings.Repetitions);
                Progress.Log($"load: PretrainedModelLoader.Load of the {type} GGUF");
                double ggufLoad = Measure.MedianMilliseconds(() => { using var model = PretrainedModelLoader.Load(path); }, settings.Warmup, settings.Repetitions);
                double ggufRead = Measure.MedianMilliseconds(() =>
                {
                    using var file = GgufFile.Open(path);
                    foreach (var tensor in file.Tensors) { using var t = file.ReadTensor(tensor.Name, ScalarType.Float32); }
                }, settings.Warmup, settings.Repetitions);
                gguf[type] = (path, export, ggufLoad, ggufRead);
            }

            double MegabytesPerSecond(double ms) => bytes / 1048576.0 / (ms / 1000);
            double FileMegabytesPerSecond(string path, double ms) => new FileInfo(path).Length / 1048576.0 / (ms / 1000);
            var text = new StringBuilder();
            text.AppendLine("## Checkpoint load throughput").AppendLine();
            text.AppendLine($"A GPT-2 checkpoint ({settings.Checkpoint.NLayer} layers, d = {settings.Checkpoint.NEmbd}, vocab {settings.Checkpoint.VocabSize}; " +
                            $"model.safetensors of {Markdown.Megabytes(bytes)} MB float32) written by `PretrainedModelLoader.Save` to a temporary folder " +
                            "(deleted afterwards) and read back from the page cache (just written: this measures the reader, not the disk); " +
                            $"median of {settings.Repetitions} after {settings.Warmup} warm-up.").AppendLine();
            text.Append(Markdown.Table(["operation", "time (ms)", "MB/s of the file"],
            [
                ["`PretrainedModelLoader.Load` (build the model, read and copy every weight)", Markdown.Number(load, 1), Markdown.Number(MegabytesPerSecond(load), 0)],
                ["`SafetensorsCheckpoint.ReadTensor` of every tensor (raw reader)", Markdown.Number(read, 1), Markdown.Number(MegabytesPerSecond(read), 0)],
                ["building the architecture alone (random initialisation included)", Markdown.Number(build, 1), "–"],
                .. gguf.SelectMany(g => new[]
                {
                    new[] { $"`peft export --format gguf --type {g.Key}` (load, convert, write {Markdown.Megabytes(new FileInfo(g.Value.Path).Length)} MB)", Markdown.Number(g.Value.Export, 1), "–" },
                    [$"`PretrainedModelLoader.Load` of the {g.Key} GGUF (dequantised to float32)", Markdown.Number(g.Value.Load, 1), Markdown.Number(FileMegabytesPerSecond(g.Value.Path, g.Value.Load), 0)],
                    [$"`GgufFile.ReadTensor` of every tensor of the {g.Key} GGUF (raw reader)", Markdown.Number(g.Value.Read, 1), Markdown.Number(FileMegabytesPerSecond(g.Value.Path, g.Value.Read), 0)],
                }),
            ]));
            return text.AppendLine().ToString();
        }
        finally
        {
            foreach (var folder in new[] { directory, exports }) if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
