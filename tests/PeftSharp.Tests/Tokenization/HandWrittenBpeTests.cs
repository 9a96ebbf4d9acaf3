using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

/// <summary>A vocabulary small enough to work out the ids by hand.</summary>
public class HandWrittenBpeTests
{
    // Byte symbols: 'h' 'e' 'l' 'o' 'Ġ' (space) 'w' 'r' 'd'; merges by rank: l+l, h+e, he+ll, Ġ+w, ll+o, hell+o.
    private const string Vocab = """
        {"h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7,
         "ll": 8, "he": 9, "hell": 10, "Ġw": 11, "llo": 12, "hello": 13, "<|endoftext|>": 14}
        """;
    private const string Merges = "#version: 0.2\nl l\nh e\nhe ll\nĠ w\nll o\nhell o\n";

    private static ITextTokenizer Load(TempFolder folder) =>
        TokenizerLoader.Load(folder.With("vocab.json", Vocab).With("merges.txt", Merges).Path);

    [Fact]
    public void Merges_apply_lowest_rank_first()
    {
        using var folder = new TempFolder();
        var tokenizer = Load(folder);
        // "hello": h e l l o → (l l) rank 0 → h e ll o → (h e) rank 1 → he ll o → (he ll) rank 2 → hell o → (hell o) rank 5.
        // (ll o) has rank 4 but is never chosen: after rank 2 the pair no longer exists.
        Assert.Equal([13], tokenizer.Encode("hello"));
        // " world": Ġ w o r l d → (Ġ w) → Ġw o r l d.
        Assert.Equal([11, 3, 6, 2, 7], tokenizer.Encode(" world"));
        // "llo": (l l) → ll o → (ll o) rank 4 → llo.
        Assert.Equal([12], tokenizer.Encode("llo"));
        // GPT-2's regex keeps the space with the following word: "hello" + " world".
        Assert.Equal([13, 11, 3, 6, 2, 7], tokenizer.Encode("hello world"));
        // The special token is matched in the text; a byte missing from the vocabulary ('x') is dropped, as in HF.
        Assert.Equal([13, 14, 0], tokenizer.Encode("hello<|endoftext|>xh"));
    }

    [Fact]
    public void Tokenizer_config_add_prefix_space_prepends_a_space_like_HF()
    {
        using var folder = new TempFolder();
        folder.With("tokenizer_config.json", """{"add_prefix_space": true}""");
        var tokenizer = Load(folder);
        Assert.Equal([4, 13], tokenizer.Encode("hello"));
        Assert.Equal([11, 3, 6, 2, 7], tokenizer.Encode(" world"));
    }

    [Fact]
    public void Merges_in_tokenizer_json_may_be_strings_or_pairs()
    {
        string Json(string merges) => $$$"""
            {"added_tokens": [{"id": 14, "content": "<|endoftext|>", "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
             "post_processor": {"type": "ByteLevel"},
             "decoder": {"type": "ByteLevel"},
             "model": {"type": "BPE", "vocab": {{{Vocab}}}, "merges": {{{merges}}}}}
            """;
        using var strings = new TempFolder();
        strings.With("tokenizer.json", Json("""["l l", "h e", "he ll", "Ġ w", "ll o", "hell o"]"""));
        using var pairs = new TempFolder();
        pairs.With("tokenizer.json", Json("""[["l","l"], ["h","e"], ["he","ll"], ["Ġ","w"], ["ll","o"], ["hell","o"]]"""));
        foreach (var folder in new[] { strings, pairs })
        {
            var tokenizer = TokenizerLoader.Load(folder.Path);
            Assert.Equal([13, 11, 3, 6, 2, 7, 14], tokenizer.Encode("hello world<|endoftext|>"));
            Assert.Equal(14, tokenizer.EosTokenId);
            Assert.Equal(15, tokenizer.VocabSize);
        }
    }

    [Fact]
    public void Gpt2_pairs_are_concatenated_with_the_second_part_of_type_1()
    {
        using var folder = new TempFolder();
        var pair = Load(folder).EncodePair("hello", " world");
        Assert.Equal([13, 11, 3, 6, 2, 7], pair.InputIds);
        Assert.Equal([0, 1, 1, 1, 1, 1], pair.TokenTypeIds);
    }
}
