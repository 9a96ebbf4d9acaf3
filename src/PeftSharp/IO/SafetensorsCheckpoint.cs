using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// The weights of a HuggingFace model folder: <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c> ({"metadata": …, "weight_map": {tensor: shard file}}), opened lazily.
/// PeftSharp never loads pickle (<c>pytorch_model.bin</c>) files: they can execute code.
/// </summary>
internal sealed class SafetensorsCheckpoint : IDisposable
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    private readonly string directory;
    private readonly IReadOnlyDictionary<string, string> shardOf; // tensor → shard file name
    private readonly Dictionary<string, SafetensorsFile> open = new();

    private SafetensorsCheckpoint(string directory, IReadOnlyDictionary<string, string> shardOf)
    {
        this.directory = directory;
        this.shardOf = shardOf;
        Keys = shardOf.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every tensor name of the checkpoint, sorted ordinally.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>
    /// Opens the weights in <paramref name="directory"/>: <c>model.safetensors</c> if present (as transformers does), otherwise
    /// the shards of <c>model.safetensors.index.json</c>. A folder with only pickle weights gets a message saying how to convert them.
    /// </summary>
    public static SafetensorsCheckpoint Open(string directory)
    {
        if (!Directory.Exists(directory)) throw new PeftSharpException($"{directory}: model folder not found");
        var single = Path.Combine(directory, SingleFile);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            var checkpoint = new SafetensorsCheckpoint(directory, file.Keys.ToDictionary(k => k, _ => SingleFile, StringComparer.Ordinal));
            checkpoint.open[SingleFile] = file;
            return checkpoint;
        }
        var index = Path.Combine(directory, IndexFile);
        if (File.Exists(index)) return new SafetensorsCheckpoint(directory, ReadIndex(index));
        if (File.Exists(Path.Combine(directory, "pytorch_model.bin")) || File.Exists(Path.Combine(directory, "pytorch_model.bin.index.json")))
            throw new PeftSharpException(
                $"{directory}: only pytorch_model.bin (pickle) weights found. PeftSharp never loads pickle files, which can run code. " +
                "Convert them once with Python: `python -c \"import torch; from safetensors.torch import save_file; " +
                "save_file(torch.load('pytorch_model.bin', weights_only=True), 'model.safetensors', metadata={'format': 'pt'})\"` " +
                "(sharded: load every shard into one dict first) " +
                "or `AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)`.");
        throw new PeftSharpException($"{directory}: no {SingleFile} or {IndexFile} found");
    }

    private static IReadOnlyDictionary<string, string> ReadIndex(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(StrictUtf8.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new PeftSharpException($"{path}: expected a JSON object with 'weight_map', got {doc.RootElement.ValueKind}");
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new PeftSharpException($"{path}: missing object 'weight_map'");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or "..")
                    throw new PeftSharpException($"{path}: weight_map.{entry.Name}: expected a shard file name in the same folder, got {entry.Value.GetRawText()}");
                if (!result.TryAdd(entry.Name, shard)) throw new PeftSharpException($"{path}: tensor '{entry.Name}' listed twice");
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new PeftSharpException($"{path}: not valid UTF-8 JSON: {e.Message}");
        }
        catch (InvalidOperationException e) // a lone surrogate escape in a name
        {
            throw new PeftSharpException($"{path}: a string is not valid Unicode: {e.Message}");
        }
        catch (IOException e)
        {
            throw new PeftSharpException($"{path}: cannot read: {e.Message}", e);
        }
    }

    private SafetensorsFile Shard(string name)
    {
        if (!shardOf.TryGetValue(name, out var shard)) throw new PeftSharpException($"{directory}: no tensor named '{name}'");
        if (!open.TryGetValue(shard, out var file))
        {
            var path = Path.Combine(directory, shard);
            if (!File.Exists(path)) throw new PeftSharpException($"{path}: shard listed in {IndexFile} for '{name}' not found");
            open[shard] = file = SafetensorsFile.Open(path);
        }
        if (!file.Contains(name)) throw new PeftSharpException($"{file.FilePath}: {IndexFile} lists tensor '{name}' in this shard, but it is not there");
        return file;
    }

    /// <summary>Whether the checkpoint lists a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => shardOf.ContainsKey(name);
    /// <summary>The header entry of <paramref name="name"/> (opens its shard); an unknown name is a <see cref="PeftSharpException"/>.</summary>
    public SafetensorsTensorInfo GetInfo(string name) => Shard(name).GetInfo(name);
    /// <summary>Reads one tensor as <see cref="SafetensorsFile.ReadTensor"/> does, from the shard that holds it.</summary>
    public Tensor ReadTensor(string name, ScalarType? dtype = null, Device? device = null) => Shard(name).ReadTensor(name, dtype, device);

    /// <summary>Sum of all tensors' byte lengths (opens every shard).</summary>
    public long TotalBytes => Keys.Sum(k => GetInfo(k).ByteLength);

    public void Dispose()
    {
        foreach (var file in open.Values) file.Dispose();
        open.Clear();
    }
}
