using System.Text.Json.Nodes;
using PeftSharp.IO;
using static TorchSharp.torch;

namespace PeftSharp.Models;

public static partial class PretrainedModelLoader
{
    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/> as config.json + model.safetensors in
    /// HF layout, with the key layout the model was loaded from (GPT-2 with or without the
    /// <c>transformer.</c> prefix, a stored tied head kept); classifiers always in their HF layout
    /// (<c>transformer.</c>/<c>model.</c> + <c>score.weight</c>, …). config.json names the model's HF class in
    /// <c>architectures</c> and, for classifiers, the labels (id2label / label2id). Each file is written atomically.
    /// </summary>
    public static void Save(IPretrainedModel model, string directory)
    {
        if (model is not PretrainedModel pretrained)
            throw new PeftSharpException($"cannot save a {model.GetType().Name}: only models from PretrainedModelLoader can be saved (merge and unload adapters first)");
        if (File.Exists(Path.Combine(directory, "model.safetensors.index.json")))
            throw new PeftSharpException($"{directory}: already holds a sharded checkpoint (model.safetensors.index.json); save into an empty folder");
        var tensors = CheckpointTensors(pretrained);
        Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(Path.Combine(directory, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var config = JsonNode.Parse(pretrained.Config.ToJson())!.AsObject();
        config["architectures"] = new JsonArray(pretrained.ArchitectureName);
        if (pretrained is ISequenceClassificationModel && pretrained.Config is IClassifierConfig labels) ClassifierLabels.Write(config, labels, always: true);
        config["torch_dtype"] = DtypeName(tensors[0].Value.dtype);
        AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static CheckpointSource OpenCheckpoint(string directory) => new(SafetensorsCheckpoint.Open(directory));

    /// <summary>A safetensors checkpoint folder as a tensor source.</summary>
    private sealed class CheckpointSource(SafetensorsCheckpoint checkpoint) : ITensorSource, IDisposable
    {
        public IReadOnlyList<string> Keys => checkpoint.Keys;
        public long[] Shape(string key) => checkpoint.GetInfo(key).Shape.ToArray();
        public Tensor Read(string key, ScalarType dtype, Device? device) => checkpoint.ReadTensor(key, dtype, device);
        public void Dispose() => checkpoint.Dispose();
    }
}
