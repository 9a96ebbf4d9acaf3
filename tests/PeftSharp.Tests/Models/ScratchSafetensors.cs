using System.Text.Json;
using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

// TEMPORARY: minimal reader to check numerics before PeftSharp.IO lands. Deleted after the merge.
internal sealed class ScratchSafetensors : ITensorSource, IDisposable
{
    private readonly Dictionary<string, (string Dtype, long[] Shape, long Begin, long End, string File)> entries = new();

    public ScratchSafetensors(string dir)
    {
        foreach (var file in Directory.GetFiles(dir, "*.safetensors"))
        {
            var bytes = File.ReadAllBytes(file);
            var n = BitConverter.ToInt64(bytes, 0);
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                entries[p.Name] = (p.Value.GetProperty("dtype").GetString()!, p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), 8 + n + offs[0], 8 + n + offs[1], file);
            }
        }
    }

    public IReadOnlyList<string> Keys => entries.Keys.ToList();
    public long[] Shape(string key) => entries[key].Shape;

    public Tensor Read(string key, ScalarType dtype, Device? device)
    {
        var e = entries[key];
        var bytes = File.ReadAllBytes(e.File)[(int)e.Begin..(int)e.End];
        var st = e.Dtype switch { "F32" => ScalarType.Float32, "BF16" => ScalarType.BFloat16, "I64" => ScalarType.Int64, _ => throw new Exception(e.Dtype) };
        var t = torch.empty(e.Shape, st);
        bytes.CopyTo(t.bytes);
        return t.to(dtype);
    }

    public void Dispose() { }
}
