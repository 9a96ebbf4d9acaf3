using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PeftSharp.IO;

namespace PeftSharp.Tokenization;

/// <summary>
/// Writes a byte-level BPE tokenizer as GPT-2's files: vocab.json (one line, non-ASCII escaped as \uXXXX like
/// Python's json.dumps), merges.txt, tokenizer.json (HF tokenizers format: BPE model, ByteLevel pre-tokenizer,
/// post-processor and decoder, added_tokens) and tokenizer_config.json (GPT2Tokenizer).
/// </summary>
internal static class BpeFilesWriter
{
    public static void Write(string directory, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specialTokens)
    {
        var vocabulary = new List<string>(256 + merges.Count + specialTokens.Count);
        vocabulary.AddRange(ByteLevelAlphabet.VocabularyOrder.Select(c => c.ToString()));
        vocabulary.AddRange(merges.Select(m => m.Left + m.Right));
        int firstSpecial = vocabulary.Count;
        vocabulary.AddRange(specialTokens);

        var vocabJson = new StringBuilder("{");
        for (int id = 0; id < vocabulary.Count; id++)
            vocabJson.Append(id == 0 ? "" : ", ").Append(AsciiJsonString(vocabulary[id])).Append(": ").Append(id);
        vocabJson.Append('}');
        AtomicFile.WriteAllText(Path.Combine(directory, "vocab.json"), vocabJson.ToString());

        var mergesTxt = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in merges) mergesTxt.Append(left).Append(' ').Append(right).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, "merges.txt"), mergesTxt.ToString());

        AtomicFile.Write(Path.Combine(directory, "tokenizer.json"), stream => WriteTokenizerJson(stream, vocabulary, merges, firstSpecial));
        AtomicFile.Write(Path.Combine(directory, "tokenizer_config.json"), stream => WriteTokenizerConfig(stream, specialTokens));
    }

    private static JsonWriterOptions Options => new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void WriteTokenizerJson(Stream stream, List<string> vocabulary, IReadOnlyList<(string Left, string Right)> merges, int firstSpecial)
    {
        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        for (int id = firstSpecial; id < vocabulary.Count; id++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", vocabulary[id]);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", true);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        WriteByteLevel(json, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
        WriteByteLevel(json, "post_processor", addPrefixSpace: true, trimOffsets: false);
        WriteByteLevel(json, "decoder", addPrefixSpace: true, trimOffsets: true);
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteString("continuing_subword_prefix", "");
        json.WriteString("end_of_word_suffix", "");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        for (int id = 0; id < vocabulary.Count; id++) json.WriteNumber(vocabulary[id], id);
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in merges) json.WriteStringValue(left + " " + right);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter json, string name, bool addPrefixSpace, bool trimOffsets)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", trimOffsets);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }

    private static void WriteTokenizerConfig(Stream stream, IReadOnlyList<string> specialTokens)
    {
        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteString("tokenizer_class", "GPT2Tokenizer");
        json.WriteBoolean("add_prefix_space", false);
        if (specialTokens.Count > 0)
        {
            json.WriteString("bos_token", specialTokens[0]);
            json.WriteString("eos_token", specialTokens[0]);
            json.WriteString("unk_token", specialTokens[0]);
        }
        json.WriteBoolean("clean_up_tokenization_spaces", false);
        json.WriteEndObject();
    }

    /// <summary>A JSON string literal with every non-ASCII character escaped (Python's ensure_ascii).</summary>
    internal static string AsciiJsonString(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E) text.Append("\\u").Append(((int)c).ToString("x4"));
                    else text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }
}
