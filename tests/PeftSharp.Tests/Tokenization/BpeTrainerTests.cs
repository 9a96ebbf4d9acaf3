using System.Text.Json;
using CsCheck;
using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

public class BpeTrainerTests
{
    // gpt2-tiny was trained by tools/golden/tokenization_golden.py (a naive Python trainer): 600 merges + <|endoftext|>.
    private const int FixtureVocabSize = 256 + 600 + 1;

    private static TempFolder TrainOnCorpus()
    {
        var folder = new TempFolder();
        BpeTrainer.Train(CorpusTexts(), FixtureVocabSize, ["<|endoftext|>"], folder.Path);
        return folder;
    }

    [Fact]
    public void Training_reproduces_the_independent_Python_trainer_byte_for_byte()
    {
        using var trained = TrainOnCorpus();
        Assert.Equal(File.ReadAllText(Path.Combine(Folder("gpt2-tiny"), "merges.txt")), File.ReadAllText(trained.File("merges.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(Folder("gpt2-tiny"), "vocab.json")), File.ReadAllText(trained.File("vocab.json")));
    }

    [Fact]
    public void Training_is_deterministic()
    {
        using var first = TrainOnCorpus();
        using var second = TrainOnCorpus();
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json" })
            Assert.Equal(File.ReadAllBytes(first.File(file)), File.ReadAllBytes(second.File(file)));
    }

    [Fact]
    public void Trained_files_load_like_GPT2_files_and_give_the_reference_ids()
    {
        using var trained = TrainOnCorpus();
        var tokenizer = TokenizerLoader.Load(trained.Path);
        var expected = TokenizationFixtures.Load("gpt2-tiny");
        Assert.Equal(expected.VocabSize, tokenizer.VocabSize);
        Assert.Equal(expected.Eos, tokenizer.EosTokenId);
        Assert.Equal(expected.Bos, tokenizer.BosTokenId);
        foreach (var c in expected.Cases) Assert.Equal(c.WithSpecial, tokenizer.Encode(c.Text));
    }

    [Fact]
    public void TokenizerJson_alone_gives_the_same_ids_as_vocab_and_merges()
    {
        using var trained = TrainOnCorpus();
        using var jsonOnly = new TempFolder();
        File.Copy(trained.File("tokenizer.json"), jsonOnly.File("tokenizer.json"));
        using var filesOnly = new TempFolder();
        File.Copy(trained.File("vocab.json"), filesOnly.File("vocab.json"));
        File.Copy(trained.File("merges.txt"), filesOnly.File("merges.txt"));

        var fromJson = TokenizerLoader.Load(jsonOnly.Path);
        var fromFiles = TokenizerLoader.Load(filesOnly.Path);
        Assert.Equal(fromFiles.VocabSize, fromJson.VocabSize);
        Assert.Equal(fromFiles.EosTokenId, fromJson.EosTokenId);
        foreach (var c in TokenizationFixtures.Load("gpt2-tiny").Cases)
        {
            Assert.Equal(c.Ids, fromJson.Encode(c.Text));
            Assert.Equal(c.Ids, fromFiles.Encode(c.Text));
        }
    }

    [Fact]
    public void TokenizerJson_has_the_HF_layout_of_GPT2()
    {
        using var trained = TrainOnCorpus();
        using var document = JsonDocument.Parse(File.ReadAllBytes(trained.File("tokenizer.json")));
        var root = document.RootElement;
        Assert.Equal("BPE", root.GetProperty("model").GetProperty("type").GetString());
        Assert.Equal("ByteLevel", root.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        Assert.False(root.GetProperty("pre_tokenizer").GetProperty("add_prefix_space").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
        var added = Assert.Single(root.GetProperty("added_tokens").EnumerateArray());
        Assert.Equal("<|endoftext|>", added.GetProperty("content").GetString());
        Assert.Equal(FixtureVocabSize - 1, added.GetProperty("id").GetInt32());
        Assert.True(added.GetProperty("special").GetBoolean());
        Assert.Equal(FixtureVocabSize, root.GetProperty("model").GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(600, root.GetProperty("model").GetProperty("merges").GetArrayLength());
        Assert.StartsWith("#version: 0.2\n", File.ReadAllText(trained.File("merges.txt")));
    }

    [Fact]
    public void Decode_of_Encode_is_the_identity_for_arbitrary_unicode()
    {
        using var trained = TrainOnCorpus();
        var tokenizer = TokenizerLoader.Load(trained.Path);
        // Any sequence of code points (surrogates excluded: they are not text), from all planes.
        var codePoint = Gen.OneOf(Gen.Int[0, 0x7F], Gen.Int[0x80, 0xD7FF], Gen.Int[0xE000, 0xFFFF], Gen.Int[0x10000, 0x10FFFF]);
        var text = codePoint.Array[0, 40].Select(cps => string.Concat(cps.Select(char.ConvertFromUtf32)));
        text.SampleFixed(s =>
        {
            if (s.Contains("<|endoftext|>")) return;
            Assert.Equal(s, tokenizer.Decode(tokenizer.Encode(s)));
        }, iter: 2000);
    }

    [Fact]
    public void Training_stops_early_when_the_corpus_runs_out_of_pairs()
    {
        using var folder = new TempFolder();
        BpeTrainer.Train(["ab ab ab"], 1000, ["<|endoftext|>"], folder.Path);
        var tokenizer = TokenizerLoader.Load(folder.Path);
        // "ab" and " ab" are reachable: merges a+b, Ġ+ab (or Ġ+a, Ġa+b).
        Assert.Equal(256 + 2 + 1, tokenizer.VocabSize);
        Assert.Equal(3, tokenizer.Encode("ab ab ab").Count);
    }

    [Fact]
    public void Merges_follow_counts_with_ordinal_tie_breaking()
    {
        // Words: "aab" x1, "bcc" x1 → pairs (a,a)=1 (a,b)=1 (b,c)=1 (c,c)=1: ties → smallest (left, right) = (a, a).
        var merges = BpeTrainer.LearnMerges(["aab bcc"], 1);
        Assert.Equal([("a", "a")], merges);
        // "ccc ccc": (c,c) counted twice per word → first merge c+c, then cc+c.
        Assert.Equal([("c", "c"), ("cc", "c")], BpeTrainer.LearnMerges(["ccc", "ccc"], 2));
    }

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    public void Vocabulary_sizes_too_small_for_bytes_and_specials_are_rejected(int vocabSize)
    {
        using var folder = new TempFolder();
        var e = Assert.ThrowsAny<PeftSharpException>(() => BpeTrainer.Train(["x"], vocabSize, ["<|endoftext|>"], folder.Path));
        Assert.Contains("too small", e.Message);
    }

    [Fact]
    public void Special_tokens_that_repeat_or_clash_with_bytes_are_rejected()
    {
        using var folder = new TempFolder();
        Assert.Contains("twice", Assert.ThrowsAny<PeftSharpException>(() => BpeTrainer.Train(["x"], 300, ["<s>", "<s>"], folder.Path)).Message);
        Assert.Contains("byte symbol", Assert.ThrowsAny<PeftSharpException>(() => BpeTrainer.Train(["x"], 300, ["a"], folder.Path)).Message);
        Assert.Contains("non-empty", Assert.ThrowsAny<PeftSharpException>(() => BpeTrainer.Train(["x"], 300, [""], folder.Path)).Message);
    }
}
