using System.Text.Json;

namespace PeftSharp.Data;

/// <summary>
/// Reads the commonsense-reasoning files of the LLM-Adapters / DoRA setup: <c>commonsense_170k.json</c>
/// and the per-task <c>dataset/&lt;task&gt;/test.json</c>, a JSON list of
/// <c>{"instruction", "input", "output", "answer"}</c> objects (a JSON Lines file of the same objects is
/// accepted too). All four fields must be strings. The answer must be one the task's evaluation can
/// produce (for the merged training file: one of any task's answers).
/// </summary>
public static class CommonsenseReader
{
    /// <summary>Reads a file; <paramref name="task"/> (e.g. "boolq") checks answers and is stored in each example.</summary>
    public static IReadOnlyList<CommonsenseExample> Read(string path, string? task = null)
    {
        var known = task is null ? null : CommonsenseTask.Get(task);
        using var stream = DataFile.Open(path);
        return Read(stream, path, known);
    }

    internal static IReadOnlyList<CommonsenseExample> Read(Stream stream, string name, CommonsenseTask? task)
    {
        var bytes = ReadAll(stream, name);
        DataFile.CheckUtf8(bytes, name);
        int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        int first = start;
        while (first < bytes.Length && bytes[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') first++;
        if (first == bytes.Length) throw DataFile.Empty(name, "entries");
        var examples = new List<CommonsenseExample>();
        if (bytes[first] == (byte)'[')
        {
            foreach (var (line, element) in ArrayElements(bytes, start, name))
                examples.Add(Parse(element, name, line, task));
        }
        else
        {
            foreach (var (number, text) in DataFile.ReadLines(new MemoryStream(bytes, writable: false), name))
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                var row = JsonRow.Parse(text, name, number, out var document);
                using (document) examples.Add(FromRow(row, task));
            }
        }
        if (examples.Count == 0) throw DataFile.Empty(name, "entries");
        return examples;
    }

    private static byte[] ReadAll(Stream stream, string name)
    {
        if (stream.CanSeek && stream.Length > int.MaxValue - 64)
            throw new PeftSharpException($"{name}: file of {stream.Length} bytes is too large for a JSON list; use JSON Lines");
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>The raw bytes of each element of a top-level JSON array, with the line it starts on.</summary>
    private static List<(int Line, ReadOnlyMemory<byte> Element)> ArrayElements(byte[] bytes, int start, string name)
    {
        var result = new List<(int, ReadOnlyMemory<byte>)>();
        var reader = new Utf8JsonReader(bytes.AsSpan(start), new JsonReaderOptions { MaxDepth = 64 });
        int line = 1, counted = 0;
        try
        {
            reader.Read(); // '['
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                int tokenStart = (int)reader.TokenStartIndex;
                line += bytes.AsSpan(start + counted, tokenStart - counted).Count((byte)'\n');
                counted = tokenStart;
                reader.Skip();
                result.Add((line, bytes.AsMemory(start + tokenStart, (int)reader.BytesConsumed - tokenStart)));
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
                throw DataFile.Error(name, line, "malformed JSON: expected one list of entries");
        }
        catch (JsonException e)
        {
            throw DataFile.Error(name, (int)(e.LineNumber ?? 0) + 1, $"malformed JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
        return result;
    }

    private static CommonsenseExample Parse(ReadOnlyMemory<byte> element, string name, int line, CommonsenseTask? task)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(element, JsonRow.Options);
        }
        catch (JsonException e)
        {
            throw DataFile.Error(name, line, $"malformed JSON entry: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
        catch (InvalidOperationException)
        {
            throw DataFile.Error(name, line, "malformed JSON entry: a field name escapes a lone UTF-16 surrogate");
        }
        using (document) return FromRow(new JsonRow(document.RootElement, name, line), task);
    }

    private static readonly HashSet<string> AnyAnswer = CommonsenseTask.All.SelectMany(t => t.Answers).ToHashSet();

    private static CommonsenseExample FromRow(JsonRow row, CommonsenseTask? task)
    {
        var instruction = row.String("instruction");
        var input = row.String("input");
        var output = row.String("output");
        var answer = row.String("answer");
        if (instruction.Length == 0) throw row.Wrong("instruction", "a non-empty string", "\"\"");
        if (task is not null && !task.Answers.Contains(answer))
            throw row.Wrong("answer", $"one of {string.Join(", ", task.Answers)} for {task.Name}", DataFile.Quote(answer));
        if (task is null && !AnyAnswer.Contains(answer))
            throw row.Wrong("answer", $"a commonsense answer ({string.Join(", ", AnyAnswer)})", DataFile.Quote(answer));
        return new CommonsenseExample(task?.Name, instruction, input, output, answer);
    }
}
