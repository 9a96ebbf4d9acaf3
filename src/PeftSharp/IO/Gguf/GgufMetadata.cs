namespace PeftSharp.IO.Gguf;

/// <summary>
/// A GGUF file's metadata, in file order, with typed look-ups whose errors name the file and the key. Integers of any
/// width are accepted where an integer is asked for (writers differ: uint32, int32, uint64), floats of either width
/// where a number is.
/// </summary>
internal sealed class GgufMetadata
{
    private readonly Dictionary<string, GgufValue> values;

    public GgufMetadata(string source, IReadOnlyList<KeyValuePair<string, GgufValue>> entries)
    {
        Source = source;
        Entries = entries;
        values = new Dictionary<string, GgufValue>(entries, StringComparer.Ordinal);
    }

    /// <summary>The file the metadata came from, for messages.</summary>
    public string Source { get; }
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Entries { get; }

    public bool Contains(string key) => values.ContainsKey(key);
    public GgufValue? Find(string key) => values.GetValueOrDefault(key);

    private PeftSharpException WrongType(string key, GgufValue value, string expected) =>
        new($"{Source}: metadata '{key}' must be {expected}, found {value.TypeName}");

    public PeftSharpException Missing(string key, string why) => new($"{Source}: metadata '{key}' is missing ({why})");

    public long? Integer(string key) => Find(key) is { } v ? v.AsInteger() ?? throw WrongType(key, v, "an integer") : null;

    /// <summary>A non-negative integer that fits an int (sizes, counts, token ids).</summary>
    public int? Count(string key)
    {
        if (Integer(key) is not { } v) return null;
        return v is >= 0 and <= int.MaxValue ? (int)v : throw new PeftSharpException($"{Source}: metadata '{key}' = {v} is out of range (expected 0 … {int.MaxValue})");
    }

    public int RequiredCount(string key, string why) => Count(key) ?? throw Missing(key, why);

    public double? Number(string key) => Find(key) is { } v ? v.AsFloat() ?? v.AsInteger() ?? throw WrongType(key, v, "a number") : null;

    public string? String(string key) => Find(key) is { } v ? v.Raw as string ?? throw WrongType(key, v, "a string") : null;

    public bool? Bool(string key) => Find(key) is { } v ? v.Raw as bool? ?? throw WrongType(key, v, "a bool") : null;

    public string[]? Strings(string key) => Find(key) is { } v ? v.Raw as string[] ?? throw WrongType(key, v, "an array of strings") : null;

    public float[]? Floats(string key) => Find(key) is { } v ? v.Raw as float[] ?? throw WrongType(key, v, "an array of float32") : null;

    /// <summary>An array of integers of any width, as ints (token types).</summary>
    public int[]? Integers(string key)
    {
        if (Find(key) is not { } v) return null;
        return v.Raw switch
        {
            int[] a => a,
            uint[] a when a.All(x => x <= int.MaxValue) => a.Select(x => (int)x).ToArray(),
            byte[] a => a.Select(x => (int)x).ToArray(),
            sbyte[] a => a.Select(x => (int)x).ToArray(),
            short[] a => a.Select(x => (int)x).ToArray(),
            ushort[] a => a.Select(x => (int)x).ToArray(),
            _ => throw WrongType(key, v, "an array of integers"),
        };
    }
}
