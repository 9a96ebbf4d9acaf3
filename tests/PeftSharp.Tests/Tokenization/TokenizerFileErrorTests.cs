using System.Text;
using CsCheck;
using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

/// <summary>Missing or malformed tokenizer files give a PeftSharpException naming the file (and line or entry).</summary>
public class TokenizerFileErrorTests
{
    private const string Vocab = """{"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4}""";

    private static PeftSharpException LoadFails(TempFolder folder) => Assert.ThrowsAny<PeftSharpException>(() => TokenizerLoader.Load(folder.Path));

    [Fact]
    public void A_missing_folder_is_named()
    {
        string missing = Path.Combine(Path.GetTempPath(), "peftsharp-no-such-folder-" + Guid.NewGuid().ToString("N"));
        Assert.Contains(missing, Assert.ThrowsAny<PeftSharpException>(() => TokenizerLoader.Load(missing)).Message);
    }

    [Fact]
    public void A_folder_without_tokenizer_files_lists_what_was_expected()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.With("config.json", """{"model_type": "gpt2"}"""));
        Assert.Contains("no tokenizer files", e.Message);
        Assert.Contains("vocab.json + merges.txt", e.Message);
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("vocab.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("special_tokens_map.json")]
    [InlineData("added_tokens.json")]
    [InlineData("config.json")]
    public void Malformed_json_names_the_file_and_line(string file)
    {
        using var folder = new TempFolder();
        folder.With("vocab.json", Vocab).With("merges.txt", "#version: 0.2\na b\n");
        folder.With(file, "{\n  \"a\": 1,\n  \"b\": [1, 2\n}");
        var e = LoadFails(folder);
        Assert.Contains(file, e.Message);
        Assert.Contains("invalid JSON (line 4", e.Message);
    }

    [Fact]
    public void A_missing_merges_file_is_named()
    {
        using var folder = new TempFolder();
        Assert.Contains("merges.txt: file not found", LoadFails(folder.With("vocab.json", Vocab)).Message);
    }

    [Theory]
    [InlineData("#version: 0.2\na b\nab c d\n", "line 3", "3 part(s)")]
    [InlineData("#version: 0.2\na b\nabc\n", "line 3", "1 part(s)")]
    [InlineData("a b\nab  c\n", "line 2", "3 part(s)")]
    public void Merges_lines_with_the_wrong_arity_name_file_and_line(string merges, string line, string found)
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.With("vocab.json", Vocab).With("merges.txt", merges));
        Assert.Contains("merges.txt, " + line, e.Message);
        Assert.Contains(found, e.Message);
    }

    [Fact]
    public void A_merge_of_tokens_missing_from_the_vocabulary_names_the_line_and_token()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.With("vocab.json", Vocab).With("merges.txt", "#version: 0.2\na b\nb c\n"));
        Assert.Contains("merges.txt, line 3", e.Message);
        Assert.Contains("\"bc\"", e.Message);
    }

    [Fact]
    public void Vocabulary_ids_must_be_integers()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.With("vocab.json", """{"a": 0, "b": "one"}""").With("merges.txt", ""));
        Assert.Contains("vocab.json", e.Message);
        Assert.Contains("\"b\"", e.Message);
    }

    [Fact]
    public void Merges_in_tokenizer_json_with_the_wrong_arity_name_the_entry()
    {
        using var folder = new TempFolder();
        folder.With("tokenizer.json", $$$"""
            {"pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "ByteLevel"},
             "model": {"type": "BPE", "vocab": {{{Vocab}}}, "merges": [["a", "b"], ["ab", "c", "d"]]}}
            """);
        var e = LoadFails(folder);
        Assert.Contains("tokenizer.json: model.merges[1]", e.Message);
    }

    [Fact]
    public void Unsupported_tokenizer_json_parts_are_named()
    {
        using var folder = new TempFolder();
        folder.With("tokenizer.json", $$$"""
            {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "ByteLevel"}]},
             "model": {"type": "BPE", "vocab": {{{Vocab}}}, "merges": []}}
            """);
        var e = LoadFails(folder);
        Assert.Contains("tokenizer.json: pre_tokenizer.pretokenizers[0]", e.Message);
        Assert.Contains("Digits", e.Message);
    }

    [Fact]
    public void A_top_level_json_array_is_rejected()
    {
        using var folder = new TempFolder();
        Assert.Contains("tokenizer_config.json: expected a JSON object", LoadFails(folder.With("tokenizer_config.json", "[]").With("vocab.json", Vocab)).Message);
    }

    [Fact]
    public void A_corrupt_sentencepiece_model_is_named()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("tokenizer.model"), Encoding.ASCII.GetBytes("this is not a protobuf message at all"));
        Assert.Contains("tokenizer.model: not a readable SentencePiece model", LoadFails(folder).Message);
    }

    [Fact]
    public void A_truncated_sentencepiece_model_is_named()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(Folder("llama2-tiny"), "tokenizer.model"));
        File.WriteAllBytes(folder.File("tokenizer.model"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("tokenizer.model", LoadFails(folder).Message);
    }

    [Fact]
    public void A_deberta_folder_without_spm_model_names_it()
    {
        using var folder = new TempFolder();
        Assert.Contains("spm.model: file not found", LoadFails(folder.With("config.json", """{"model_type": "deberta-v2"}""")).Message);
    }

    [Fact]
    public void A_bert_vocabulary_without_its_special_tokens_is_named()
    {
        using var folder = new TempFolder();
        var e = LoadFails(folder.With("vocab.txt", "[PAD]\n[UNK]\nhello\n").With("config.json", """{"model_type": "bert"}"""));
        Assert.Contains("vocab.txt", e.Message);
        Assert.Contains("sep_token", e.Message);
    }

    [Fact]
    public void Mutated_tokenizer_files_load_or_fail_with_PeftSharpException_only()
    {
        byte[] tokenizerJson = File.ReadAllBytes(Path.Combine(Folder("llama3-tiny"), "tokenizer.json"))[..4000];
        string valid = $$$"""
            {"added_tokens": [{"id": 5, "content": "<s>", "special": true}],
             "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "\\p{L}+|\\s+|."}, "behavior": "Isolated", "invert": false},
                {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [5], "tokens": ["<s>"]} } },
             "model": {"type": "BPE", "ignore_merges": true, "vocab": {{{Vocab}}}, "merges": ["a b", ["ab", "c"]]}}
            """;
        byte[] seed = Encoding.UTF8.GetBytes(valid);
        using (var ok = new TempFolder()) Assert.Equal([5, 4], TokenizerLoader.Load(ok.With("tokenizer.json", valid).Path).Encode("abc"));

        var mutation = Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Byte, Gen.Int[0, 2]);
        mutation.Array[1, 4].SampleFixed(edits =>
        {
            var bytes = seed.ToList();
            foreach (var (at, value, kind) in edits)
            {
                int i = Math.Min(at, bytes.Count - 1);
                if (kind == 0) bytes[i] = value;
                else if (kind == 1) bytes.RemoveAt(i);
                else bytes.Insert(i, value);
            }
            using var folder = new TempFolder();
            File.WriteAllBytes(folder.File("tokenizer.json"), bytes.ToArray());
            try
            {
                TokenizerLoader.Load(folder.Path).Encode("abc cab <s>");
            }
            catch (PeftSharpException)
            {
            }
        }, iter: 400);
        Assert.NotEmpty(tokenizerJson);
    }

    [Fact]
    public void Mutated_sentencepiece_models_load_or_fail_with_PeftSharpException_only()
    {
        byte[] seed = File.ReadAllBytes(Path.Combine(Folder("llama2-tiny"), "tokenizer.model"));
        var mutation = Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Byte);
        mutation.Array[1, 3].SampleFixed(edits =>
        {
            var bytes = (byte[])seed.Clone();
            foreach (var (at, value) in edits) bytes[at] = value;
            using var folder = new TempFolder();
            File.WriteAllBytes(folder.File("tokenizer.model"), bytes);
            try
            {
                var tokenizer = TokenizerLoader.Load(folder.Path);
                tokenizer.Decode(tokenizer.Encode("Hello wörld 😀 <s>"));
            }
            catch (PeftSharpException)
            {
            }
        }, iter: 300);
    }
}
