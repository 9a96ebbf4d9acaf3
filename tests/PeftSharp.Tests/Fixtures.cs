using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests;

/// <summary>Access to the golden files under fixtures/ (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string PathOf(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static JsonObject Json(params string[] parts) => JsonNode.Parse(File.ReadAllText(PathOf(parts)))!.AsObject();

    /// <summary>A nested JSON list of numbers as a float64 tensor.</summary>
    public static Tensor Tensor(JsonNode node)
    {
        var shape = new List<long>();
        for (var n = node; n is JsonArray a; n = a.Count > 0 ? a[0] : null) shape.Add(((JsonArray)n).Count);
        var values = new List<double>();
        void Flatten(JsonNode x) { if (x is JsonArray arr) foreach (var e in arr) Flatten(e!); else values.Add(x.GetValue<double>()); }
        Flatten(node);
        return torch.tensor(values.ToArray(), dtype: ScalarType.Float64).reshape(shape.ToArray());
    }
}
