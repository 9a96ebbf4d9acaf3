using System.Text.Json;
using System.Text.Json.Serialization;
using PeftSharp.IO;

namespace PeftSharp.Models.Deberta;

/// <summary>DeBERTa's <c>pos_att_type</c>: a list such as <c>["p2c", "c2p"]</c>, or the legacy string <c>"p2c|c2p"</c>; read lower-cased and trimmed.</summary>
internal sealed class PosAttTypeJsonConverter : JsonConverter<IReadOnlyList<string>>
{
    private const string Expected = "a list of strings or a string such as \"p2c|c2p\"";

    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString()!.Split('|').Select(Normalized).Where(t => t.Length > 0).ToList();
        string?[] terms;
        try
        {
            terms = JsonSerializer.Deserialize<string?[]>(ref reader, options)!;
        }
        catch (JsonException)
        {
            throw TypedJson.Expected(Expected);
        }
        return terms.Select(t => Normalized(t ?? throw TypedJson.Expected(Expected))).ToList();
    }

    private static string Normalized(string term) => term.Trim().ToLowerInvariant();

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> terms, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, terms.ToArray(), options);
}
