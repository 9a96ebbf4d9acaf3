using System.Text.Json.Nodes;
using CsCheck;

namespace PeftSharp.Tests.IO;

/// <summary>
/// One semantic edit of a valid safetensors header, so that damage reaches validation instead of stopping at the JSON
/// parser: a changed dtype, shape, offset, a missing / extra / wrong-typed field, overlapping or swapped offsets, bad
/// metadata. Plain numbers drive it, so CsCheck can shrink and print a failing case.
/// </summary>
internal readonly record struct SafetensorsHeaderEdit(int Kind, int Tensor, long Number, int Aux)
{
    private const int Kinds = 12;

    private static readonly string[] Dtypes = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "U16", "F8_E4M3", "f32", ""];

    public static Gen<SafetensorsHeaderEdit> Gen { get; } = CsCheck.Gen.Select(
        CsCheck.Gen.Int[0, Kinds - 1],
        CsCheck.Gen.Int[0, 63],
        CsCheck.Gen.OneOf(CsCheck.Gen.Long[-3, 700], CsCheck.Gen.Long[-8, 8], CsCheck.Gen.Long, CsCheck.Gen.Const(long.MaxValue), CsCheck.Gen.Const(1L << 62)),
        CsCheck.Gen.Int[0, 63],
        (kind, tensor, number, aux) => new SafetensorsHeaderEdit(kind, tensor, number, aux));

    /// <summary>A value of the wrong type.</summary>
    private JsonNode? Weird => (Aux % 6) switch { 0 => "x", 1 => 2.5, 2 => null, 3 => new JsonArray(), 4 => new JsonObject(), _ => true };

    public void Apply(JsonObject header)
    {
        var names = header.Select(p => p.Key).Where(k => k != "__metadata__").ToList();
        if (names.Count == 0) return;
        var name = names[Tensor % names.Count];
        var other = names[(Tensor / names.Count + Aux) % names.Count];
        if (header[name] is not JsonObject entry) return;
        switch (Kind)
        {
            case 0: entry["dtype"] = Aux % 3 == 0 ? Weird : Dtypes[Aux % Dtypes.Length]; break;
            case 1: // a new shape of 0–3 dimensions around Number
                var shape = new JsonArray();
                for (int i = 0; i < Aux % 4; i++) shape.Add(i == 0 ? Number : Math.Abs(Number % 5) + i - 1);
                entry["shape"] = shape;
                break;
            case 2: entry["shape"] = Weird; break;
            case 3: SetOffset(entry, Aux % 2, Number); break;
            case 4: SetOffset(entry, Aux % 2, Offset(entry, Aux % 2) + Number % 9); break; // near the true value
            case 5: entry["data_offsets"] = Aux % 2 == 0 ? Weird : new JsonArray(0, 1, 2); break;
            case 6: entry.Remove((Aux % 3) switch { 0 => "dtype", 1 => "shape", _ => "data_offsets" }); break;
            case 7: entry["extra"] = Number; break;
            case 8: header[name] = Weird; break;
            case 9: // overlap or swap with another tensor
                if (header[other] is JsonObject second && second["data_offsets"] is JsonArray theirs)
                {
                    var mine = entry["data_offsets"]?.DeepClone();
                    entry["data_offsets"] = theirs.DeepClone();
                    if (Aux % 2 == 0) second["data_offsets"] = mine;
                }
                break;
            case 10:
                if (Aux % 2 == 0) header["__metadata__"] = Weird;
                else if (header["__metadata__"] is JsonObject metadata) metadata["format"] = Weird;
                break;
            default: header.Remove(name); break; // fine: a gap is left
        }
    }

    private static long Offset(JsonObject entry, int index) =>
        entry["data_offsets"] is JsonArray { Count: 2 } offsets && offsets[index] is JsonValue v && v.TryGetValue<long>(out var x) ? x : 0;

    private static void SetOffset(JsonObject entry, int index, long value)
    {
        if (entry["data_offsets"] is JsonArray { Count: 2 } offsets) offsets[index] = value;
    }
}
