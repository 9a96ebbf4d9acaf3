using PeftSharp.IO;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>An in-memory checkpoint: lets tests drop, rename or reshape keys.</summary>
internal sealed class DictionarySource(Dictionary<string, Tensor> tensors) : ITensorSource
{
    public Dictionary<string, Tensor> Tensors { get; } = tensors;
    public IReadOnlyList<string> Keys => Tensors.Keys.ToList();
    public long[] Shape(string key) => Tensors[key].shape;
    public Tensor Read(string key, ScalarType dtype, Device? device) => Tensors[key].to(dtype, device ?? CPU);

    public static DictionarySource FromFixture(string name)
    {
        using var checkpoint = SafetensorsCheckpoint.Open(ModelFixtures.Folder(name));
        return new DictionarySource(checkpoint.Keys.ToDictionary(k => k, k => checkpoint.ReadTensor(k))); // stored types (buffers such as position_ids are integers)
    }

    public ModelConfig Config(string name) => ModelConfig.Load(Path.Combine(ModelFixtures.Folder(name), "config.json"));
}
