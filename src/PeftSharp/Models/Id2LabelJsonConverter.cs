using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PeftSharp.IO;

namespace PeftSharp.Models;

/// <summary>HF's <c>id2label</c>: an object whose keys are label indices ("0", "1", …) and whose values name the labels.</summary>
internal sealed class Id2LabelJsonConverter : JsonConverter<IReadOnlyDictionary<int, string>>
{
    public override IReadOnlyDictionary<int, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject labels) throw TypedJson.Expected("an object whose keys are label indices (0, 1, …)");
        var names = new SortedDictionary<int, string>();
        foreach (var (key, value) in labels)
        {
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0)
                throw TypedJson.Expected($"label indices (0, 1, …) as keys, not '{key}'");
            // HF keeps whatever value it finds; a label that is not a string is named by its JSON text.
            if (!names.TryAdd(index, value is JsonValue text && text.TryGetValue<string>(out var name) ? name : value?.ToJsonString() ?? ""))
                throw TypedJson.Expected($"each label index once, not '{key}' again");
        }
        return names;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<int, string> names, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, names, options);
}
