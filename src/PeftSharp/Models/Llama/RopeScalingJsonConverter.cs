using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PeftSharp.IO;

namespace PeftSharp.Models.Llama;

/// <summary>
/// HF's <c>rope_scaling</c> object: its type under <c>rope_type</c> (or the older <c>type</c>), <c>default</c> meaning no
/// scaling, and the fields that type needs.
/// </summary>
internal sealed class RopeScalingJsonConverter : JsonConverter<RopeScaling>
{
    private sealed record Fields(string? RopeType, string? Type, double? Factor, double? LowFreqFactor, double? HighFreqFactor, int? OriginalMaxPositionEmbeddings);

    public override RopeScaling? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var f = TypedJson.ReadNested<Fields>(ref reader, options);
        return (f.RopeType ?? f.Type) switch
        {
            null => throw TypedJson.Missing("rope_type"),
            "default" => null,
            "linear" => new RopeScaling("linear", Required(f.Factor, "factor", "linear")),
            "llama3" => new RopeScaling("llama3", Required(f.Factor, "factor", "llama3"), Required(f.LowFreqFactor, "low_freq_factor", "llama3"),
                Required(f.HighFreqFactor, "high_freq_factor", "llama3"), Required(f.OriginalMaxPositionEmbeddings, "original_max_position_embeddings", "llama3")),
            _ => throw TypedJson.Expected("one of llama3, linear, default", f.RopeType is null ? "type" : "rope_type"),
        };
    }

    private static T Required<T>(T? value, string field, string ropeType) where T : struct =>
        value ?? throw TypedJson.Missing(field, $"rope_type '{ropeType}'");

    public override void Write(Utf8JsonWriter writer, RopeScaling scaling, JsonSerializerOptions options)
    {
        var json = new JsonObject { ["rope_type"] = scaling.Type, ["factor"] = scaling.Factor };
        if (scaling.Type != "linear")
        {
            json["low_freq_factor"] = scaling.LowFreqFactor;
            json["high_freq_factor"] = scaling.HighFreqFactor;
            json["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings;
        }
        json.WriteTo(writer, options);
    }
}
