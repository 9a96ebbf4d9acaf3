using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftSharp.IO;

/// <summary>
/// A field that HuggingFace writes either as one value or as a list of them (<c>eos_token_id: 2</c> or <c>[2, 3]</c>,
/// PEFT's <c>layers_to_transform: 1</c> or <c>[0, 1]</c>): read as a list, written as a list.
/// </summary>
internal sealed class OneOrManyJsonConverter<T> : JsonConverter<IReadOnlyList<T>>
{
    public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var expected = $"{TypedJson.Describe(typeof(T))} or a list of them";
        try
        {
            if (reader.TokenType != JsonTokenType.StartArray) return [JsonSerializer.Deserialize<T>(ref reader, options)!];
            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                items.Add(reader.TokenType == JsonTokenType.Null ? throw new JsonException(expected) : JsonSerializer.Deserialize<T>(ref reader, options)!);
            return items;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new JsonException(expected, new PeftSharpException(expected));
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToArray(), options);
}
