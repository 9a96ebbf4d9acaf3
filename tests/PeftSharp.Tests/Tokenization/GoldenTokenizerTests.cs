using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

/// <summary>
/// Every tokenizer kind against ids from independent references (tools/golden/tokenization_golden.py: GPT-2's
/// published BPE algorithm, SentencePiece itself, BERT's BasicTokenizer + WordPiece) on tricky strings.
/// </summary>
public class GoldenTokenizerTests
{
    public static TheoryData<string> Fixtures => new() { "gpt2-tiny", "roberta-tiny", "llama3-tiny", "llama2-tiny", "deberta-v3-tiny", "bert-tiny" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Encode_matches_the_reference_ids_without_and_with_special_tokens(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        foreach (var c in TokenizationFixtures.Load(fixture).Cases)
        {
            Assert.True(c.Ids.SequenceEqual(tokenizer.Encode(c.Text, addSpecialTokens: false)),
                $"{fixture} {Show(c.Text)}: expected [{string.Join(", ", c.Ids)}], got [{string.Join(", ", tokenizer.Encode(c.Text, false))}]");
            Assert.Equal(c.WithSpecial, tokenizer.Encode(c.Text));
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void EncodePair_matches_the_reference_ids_token_types_and_longest_first_truncation(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        foreach (var p in TokenizationFixtures.Load(fixture).Pairs)
        {
            var encoded = tokenizer.EncodePair(p.First, p.Second, p.MaxLength);
            Assert.Equal(p.Ids, encoded.InputIds);
            Assert.Equal(p.TypeIds, encoded.TokenTypeIds);
            if (p.MaxLength is int max) Assert.True(encoded.InputIds.Count <= max);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Special_token_ids_and_vocabulary_size_are_those_of_the_HF_tokenizer(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        var expected = TokenizationFixtures.Load(fixture);
        Assert.Equal(expected.VocabSize, tokenizer.VocabSize);
        Assert.Equal(expected.Bos, tokenizer.BosTokenId);
        Assert.Equal(expected.Eos, tokenizer.EosTokenId);
        Assert.Equal(expected.Pad, tokenizer.PadTokenId);
        Assert.Equal(expected.Unk, tokenizer.UnkTokenId);
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("roberta-tiny")]
    public void Byte_level_decoding_restores_the_exact_text(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        foreach (var c in TokenizationFixtures.Load(fixture).Cases.Where(c => !c.Text.Contains('<')))
        {
            Assert.Equal(c.Text, tokenizer.Decode(c.Ids, skipSpecialTokens: false));
            Assert.Equal(c.Text, tokenizer.Decode(c.WithSpecial));
        }
    }

    [Fact]
    public void Decoding_keeps_added_tokens_unless_skipped_and_mask_swallows_the_space_before_it_like_HF()
    {
        var gpt2 = TokenizerLoader.Load(Folder("gpt2-tiny"));
        var ids = gpt2.Encode("end of text <|endoftext|> next");
        Assert.Equal("end of text <|endoftext|> next", gpt2.Decode(ids, skipSpecialTokens: false));
        Assert.Equal("end of text  next", gpt2.Decode(ids));

        var roberta = TokenizerLoader.Load(Folder("roberta-tiny"));
        Assert.Equal("<s>The capital of France is<mask>.</s>", roberta.Decode(roberta.Encode("The capital of France is <mask>."), skipSpecialTokens: false));
    }

    [Theory]
    [InlineData("llama2-tiny")]
    [InlineData("deberta-v3-tiny")]
    public void SentencePiece_decoding_matches_SentencePiece(string fixture)
    {
        var tokenizer = TokenizerLoader.Load(Folder(fixture));
        foreach (var c in TokenizationFixtures.Load(fixture).Cases.Where(c => c.Decoded is not null && !c.Text.Contains('<')))
            Assert.Equal(c.Decoded, tokenizer.Decode(c.WithSpecial));
    }

    [Fact]
    public void Bert_decoding_joins_wordpieces_and_cleans_up_spaces_like_HF()
    {
        var tokenizer = TokenizerLoader.Load(Folder("bert-tiny"));
        Assert.Equal("hello, world!", tokenizer.Decode(tokenizer.Encode("Hello, World!")));
        Assert.Equal("[CLS] unaffable jumps [SEP]", tokenizer.Decode(tokenizer.Encode("unaffable jumps"), skipSpecialTokens: false));
    }

    [Fact]
    public void IdToToken_and_TokenToId_cover_model_and_added_tokens()
    {
        var gpt2 = TokenizerLoader.Load(Folder("gpt2-tiny"));
        Assert.Equal("<|endoftext|>", gpt2.IdToToken(gpt2.EosTokenId!.Value));
        Assert.Equal(gpt2.EosTokenId, gpt2.TokenToId("<|endoftext|>"));
        Assert.Equal(0, gpt2.TokenToId("!"));
        Assert.Equal("Ġ", gpt2.IdToToken(gpt2.TokenToId("Ġ")!.Value));
        Assert.Null(gpt2.TokenToId("not a token"));
        Assert.Null(gpt2.IdToToken(1_000_000));

        var deberta = TokenizerLoader.Load(Folder("deberta-v3-tiny"));
        Assert.Equal("[MASK]", deberta.IdToToken(deberta.VocabSize - 1));
        Assert.Equal(1, deberta.TokenToId("[CLS]"));
        Assert.Equal(2, deberta.TokenToId("[SEP]"));
        Assert.Equal(0, deberta.TokenToId("[PAD]"));
        Assert.Equal(3, deberta.TokenToId("[UNK]"));
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
