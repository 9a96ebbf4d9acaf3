using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

/// <summary>Behaviours of single kinds that the golden tables do not isolate.</summary>
public class TokenizerKindTests
{
    [Fact]
    public void Llama3_ignore_merges_takes_a_piece_found_whole_in_the_vocabulary()
    {
        var tokenizer = TokenizerLoader.Load(Folder("llama3-tiny"));
        int whole = tokenizer.TokenToId("Ġzzz")!.Value; // no merge sequence produces this token
        Assert.Equal([whole], tokenizer.Encode(" zzz", addSpecialTokens: false));
        Assert.DoesNotContain(tokenizer.TokenToId("zzzqqq")!.Value, tokenizer.Encode(" zzzqqq", addSpecialTokens: false));
    }

    [Fact]
    public void Deberta_mask_comes_after_the_sentencepiece_pieces_when_no_file_declares_it()
    {
        using var folder = new TempFolder();
        folder.CopyFrom("deberta-v3-tiny", "spm.model", "config.json");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        var expected = TokenizationFixtures.Load("deberta-v3-tiny");
        Assert.Equal(expected.VocabSize, tokenizer.VocabSize);
        Assert.Equal(expected.VocabSize - 1, tokenizer.TokenToId("[MASK]"));
        Assert.Equal((1, 2, 0, 3), (tokenizer.BosTokenId, tokenizer.EosTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId));
        foreach (var c in expected.Cases) Assert.Equal(c.WithSpecial, tokenizer.Encode(c.Text));
    }

    [Fact]
    public void Llama_add_eos_token_appends_eos_and_add_bos_token_false_drops_bos()
    {
        using var folder = new TempFolder();
        folder.CopyFrom("llama2-tiny", "tokenizer.model").With("tokenizer_config.json",
            """{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false, "add_eos_token": true}""");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        var plain = tokenizer.Encode("Hello world", addSpecialTokens: false);
        Assert.Equal([.. plain, 2], tokenizer.Encode("Hello world"));
    }

    [Fact]
    public void Bert_without_lower_casing_keeps_case()
    {
        using var folder = new TempFolder();
        folder.CopyFrom("bert-tiny", "vocab.txt").With("tokenizer_config.json", """{"do_lower_case": false}""").With("config.json", """{"model_type": "bert"}""");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        // "Hello" is not in the (lower-case) vocabulary → [UNK]; "hello" is.
        Assert.Equal([2, 1, 28, 3], tokenizer.Encode("Hello hello"));
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama3-tiny")]
    [InlineData("llama2-tiny")]
    [InlineData("deberta-v3-tiny")]
    [InlineData("bert-tiny")]
    public void Lone_surrogates_and_empty_text_do_not_throw(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        foreach (var text in new[] { "a\uD800b", "\uDC00", "x\uD83D", "" })
            tokenizer.Decode(tokenizer.Encode(text));
        Assert.Empty(tokenizer.Encode("", addSpecialTokens: false));
        Assert.Empty(tokenizer.Decode([]));
    }
}
