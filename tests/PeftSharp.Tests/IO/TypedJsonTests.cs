using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PeftSharp.IO;

namespace PeftSharp.Tests.IO;

public class TypedJsonTests
{
    public sealed record Thing
    {
        [JsonRequired] public int Count { get; init; }
        public string Name { get; init; } = "unnamed";
        public Dictionary<string, int>? Sizes { get; init; }
        public Box? Box { get; init; }
    }

    /// <summary>A nested object read by a converter, as HF's rope_scaling is.</summary>
    [JsonConverter(typeof(BoxConverter))]
    public sealed record Box(string Shape, int Side);

    private sealed class BoxConverter : JsonConverter<Box>
    {
        private sealed record Fields(string? Shape, int? Side);

        public override Box Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var f = TypedJson.ReadNested<Fields>(ref reader, options);
            if (f.Shape is not ("square" or null)) throw TypedJson.Expected("\"square\"", "shape");
            return new Box("square", f.Side ?? throw TypedJson.Missing("side", "shape 'square'"));
        }

        public override void Write(Utf8JsonWriter writer, Box value, JsonSerializerOptions options) => throw new NotSupportedException();
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static Thing Read(string json, out IReadOnlyList<string> unknown) =>
        TypedJson.Read<Thing>(TypedJson.ParseObject(json, "t.json"), "t.json", Options, out unknown, "kind 'thing'");

    private static string Error(string json) => Assert.Throws<PeftSharpException>(() => Read(json, out _)).Message;

    [Fact]
    public void Reads_known_fields_keeps_defaults_for_null_and_returns_unknown_keys()
    {
        var thing = Read("""{"count": 2, "name": null, "zeta": 1, "alpha": true, "box": {"side": 3, "colour": "red"}}""", out var unknown);
        Assert.Equal((2, "unnamed", new Box("square", 3)), (thing.Count, thing.Name, thing.Box));
        Assert.Equal(["alpha", "zeta"], unknown);
    }

    [Theory]
    [InlineData("""{"name": "a"}""", "t.json: missing field 'count' (required for kind 'thing')")]
    [InlineData("""{"count": null}""", "t.json: missing field 'count' (required for kind 'thing')")]
    [InlineData("""{"count": "2"}""", "t.json: field 'count': expected an integer, got \"2\"")]
    [InlineData("""{"count": 1, "sizes": {"a": "x"}}""", "t.json: field 'sizes.a': expected an object whose values are integers, got {\"a\":\"x\"}")]
    [InlineData("""{"count": 1, "box": 5}""", "t.json: field 'box': expected an object, got 5")]
    [InlineData("""{"count": 1, "box": {"side": "x"}}""", "t.json: field 'box.side': expected an integer, got \"x\"")]
    [InlineData("""{"count": 1, "box": {"shape": "round", "side": 1}}""", "t.json: field 'box.shape': expected \"square\", got \"round\"")]
    [InlineData("""{"count": 1, "box": {"shape": "square"}}""", "t.json: missing field 'box.side' (required for shape 'square')")]
    public void A_problem_names_the_file_and_the_field_and_shows_the_value(string json, string message)
    {
        Assert.Equal(message, Error(json));
    }

    [Theory]
    [InlineData("{\"count\": 1,\n\"count\": 2}", "t.json: invalid JSON: Duplicate property 'count'")]
    [InlineData("{\"count\": 1,\n\"box\": {\"side\": 1, \"side\": 2}}", "t.json: invalid JSON: Duplicate property 'side'")]
    [InlineData("{\"count\": 1,\n\"name\": }", "t.json: invalid JSON at line 2:")]
    [InlineData("[1]", "t.json: expected a JSON object")]
    public void Malformed_json_and_duplicate_keys_are_one_line_errors(string json, string start)
    {
        Assert.StartsWith(start, Assert.Throws<PeftSharpException>(() => TypedJson.ParseObject(json, "t.json")).Message);
    }

    [Fact]
    public void One_field_can_be_read_before_the_type_is_known()
    {
        var json = TypedJson.ParseObject("""{"kind": "box", "count": 3, "none": null}""", "t.json");
        Assert.Equal(("box", 3, null), (TypedJson.Field<string>(json, "kind", "t.json", Options), TypedJson.Field<int>(json, "count", "t.json", Options),
            TypedJson.Field<string>(json, "none", "t.json", Options)));
        Assert.Equal("t.json: field 'kind': expected an integer, got \"box\"",
            Assert.Throws<PeftSharpException>(() => TypedJson.Field<int>(json, "kind", "t.json", Options)).Message);
    }
}
