using PeftSharp.IO.Gguf;
using static TorchSharp.torch;

namespace PeftSharp.Models.Gguf;

/// <summary>
/// A GGUF model file as a checkpoint: its configuration (from the metadata) and its tensors under the model's
/// parameter names, dequantised and brought back to HF's layout on read. Tensors the architecture does not map are
/// listed under their GGUF names, so the loader reports them as unused.
/// </summary>
internal sealed class GgufCheckpoint : ITensorSource, IDisposable
{
    private readonly GgufFile file;
    private readonly Dictionary<string, GgufTensorMap> byKey;
    private readonly HashSet<string> consumed;

    private GgufCheckpoint(GgufFile file, GgufArchitecture architecture, ModelConfig config)
    {
        this.file = file;
        Config = config;
        var maps = architecture.Tensors(config);
        byKey = maps.Where(m => file.Contains(m.GgufName)).ToDictionary(m => m.ParameterName, StringComparer.Ordinal);
        consumed = maps.Select(m => m.GgufName).Concat(architecture.ExtraTensors(config).Select(e => e.Name)).ToHashSet(StringComparer.Ordinal);
        Keys = byKey.Keys.Concat(file.Tensors.Select(t => t.Name).Where(n => !consumed.Contains(n))).ToList();
    }

    public ModelConfig Config { get; }
    public IReadOnlyList<string> Keys { get; }
    public string FilePath => file.FilePath;

    /// <summary>Opens and validates <paramref name="path"/> and derives its configuration.</summary>
    public static GgufCheckpoint Open(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            var architecture = GgufArchitecture.For(file.Metadata);
            if (!file.Contains("token_embd.weight")) throw new PeftSharpException($"{path}: no tensor 'token_embd.weight' (is this a model, not an adapter?)");
            return new GgufCheckpoint(file, architecture, architecture.ReadConfig(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The configuration of the model in <paramref name="path"/>, without reading its weights.</summary>
    public static ModelConfig ReadConfig(string path)
    {
        using var checkpoint = Open(path);
        return checkpoint.Config;
    }

    public long[] Shape(string key) => byKey.TryGetValue(key, out var map)
        ? (map.Transposed ? [.. file.GetInfo(map.GgufName).Shape.Reverse()] : file.GetInfo(map.GgufName).Shape)
        : file.GetInfo(key).Shape;

    public Tensor Read(string key, ScalarType dtype, Device? device)
    {
        using var scope = NewDisposeScope();
        var map = byKey[key];
        var stored = file.ReadTensor(map.GgufName, dtype);
        var tensor = map.FromGguf(stored).contiguous();
        if (device is not null && device.type != TorchSharp.DeviceType.CPU) tensor = tensor.to(device);
        return tensor.MoveToOuterDisposeScope();
    }

    public void Dispose() => file.Dispose();
}
