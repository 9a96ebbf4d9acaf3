using System.Text.Json;
using PeftSharp.Tokenization;

namespace PeftSharp.Tests.Tokenization.Golden;

/// <summary>Collects lines whose result differs from the reference and describes the first one briefly.</summary>
internal sealed class Mismatches(string what, ITextTokenizer tokenizer)
{
    private readonly List<string> first = [];
    private int count, total;

    public void Ids(int line, string text, IReadOnlyList<int> expected, IReadOnlyList<int> actual)
    {
        total++;
        if (expected.SequenceEqual(actual)) return;
        if (count++ > 0) return;
        int at = 0;
        while (at < expected.Count && at < actual.Count && expected[at] == actual[at]) at++;
        int from = Math.Max(0, at - 3);
        string Window(IReadOnlyList<int> ids) => string.Join(" ", ids.Skip(from).Take(8).Select(id => $"{id}:{Show(tokenizer.IdToToken(id) ?? "?")}"));
        first.Add($"line {line} {Show(Excerpt(text))}: first difference at token {at} of {expected.Count}/{actual.Count}\n" +
                   $"  expected …{Window(expected)}\n  actual   …{Window(actual)}");
    }

    public void Text(int line, string text, string expected, string actual)
    {
        total++;
        if (expected == actual) return;
        if (count++ > 0) return;
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        int from = Math.Max(0, at - 20);
        first.Add($"line {line} {Show(Excerpt(text))}: decoded text differs at char {at}\n" +
                   $"  expected …{Show(expected.Substring(from, Math.Min(60, expected.Length - from)))}\n" +
                   $"  actual   …{Show(actual.Substring(from, Math.Min(60, actual.Length - from)))}");
    }

    public int Count => count;
    public int Total => total;

    /// <summary>Passes when nothing differed; otherwise fails naming how many lines differ and the first one.</summary>
    public void AssertNone()
    {
        if (count > 0) Assert.Fail($"{what}: {count} of {total} differ from the reference; {first[0]}");
    }

    private static string Excerpt(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private static string Show(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
