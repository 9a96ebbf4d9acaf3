using System.Text.Json;
using System.Text.Json.Serialization;
using PeftSharp.IO;

namespace PeftSharp.Models;

/// <summary>HF's <c>eos_token_id</c>: one token id, or a list of them (LLaMA-3 stops at either of two).</summary>
internal sealed class TokenIdsJsonConverter : JsonConverter<IReadOnlyList<int>>
{
    public override IReadOnlyList<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return reader.TokenType == JsonTokenType.StartArray
                ? JsonSerializer.Deserialize<int[]>(ref reader, options)!
                : [JsonSerializer.Deserialize<int>(ref reader, options)];
        }
        catch (JsonException)
        {
            throw TypedJson.Expected("an integer or a list of integers");
        }
    }

    /// <summary>As HF writes it: null for none, the id alone for one, a list for several.</summary>
    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> ids, JsonSerializerOptions options)
    {
        if (ids is [var id]) writer.WriteNumberValue(id);
        else if (ids.Count == 0) writer.WriteNullValue();
        else JsonSerializer.Serialize(writer, ids.ToArray(), options);
    }
}
