using PeftSharp.Tokenization;
using Xunit.Abstractions;

namespace PeftSharp.Tests.Tokenization.Golden;

/// <summary>
/// Every tokenizer kind against its reference on every line of the adversarial corpus (tools/golden/tokenization):
/// HF tokenizers (Rust) for tokenizer.json / vocab.json / vocab.txt folders, the official SentencePiece for
/// tokenizer.model / spm.model folders. A failure names the number of differing lines and shows the first one.
/// </summary>
public class GoldenCorpusTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names => [.. GoldenSet.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_line_encodes_to_the_reference_ids(string name)
    {
        var tokenizer = GoldenSet.Tokenizer(name);
        var expected = GoldenSet.Load(name);
        var corpus = GoldenSet.Corpus;
        Assert.Equal(corpus.Count, expected.Ids.Count);
        var mismatches = new Mismatches($"{name} ({expected.Reference}), ids without special tokens", tokenizer);
        for (int line = 0; line < corpus.Count; line++)
            mismatches.Ids(line, corpus[line], expected.Ids[line], tokenizer.Encode(corpus[line], addSpecialTokens: false));
        output.WriteLine($"{name}: {mismatches.Total - mismatches.Count} of {mismatches.Total} lines equal the reference");
        mismatches.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Special_tokens_are_added_as_the_reference_adds_them(string name)
    {
        var tokenizer = GoldenSet.Tokenizer(name);
        var expected = GoldenSet.Load(name);
        var mismatches = new Mismatches($"{name}, ids with special tokens", tokenizer);
        for (int k = 0; k < expected.WithSpecialLines.Count; k++)
        {
            int line = expected.WithSpecialLines[k];
            mismatches.Ids(line, GoldenSet.Corpus[line], expected.WithSpecial[k], tokenizer.Encode(GoldenSet.Corpus[line]));
        }
        mismatches.AssertNone();
        Assert.Equal((expected.VocabSize, expected.Bos, expected.Eos, expected.Pad, expected.Unk),
            (tokenizer.VocabSize, tokenizer.BosTokenId, tokenizer.EosTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Pairs_get_the_reference_template_token_types_and_truncation(string name)
    {
        var tokenizer = GoldenSet.Tokenizer(name);
        var corpus = GoldenSet.Corpus;
        var ids = new Mismatches($"{name}, pair ids", tokenizer);
        var types = new Mismatches($"{name}, pair token types", tokenizer);
        foreach (var pair in GoldenSet.Load(name).Pairs)
        {
            var encoded = tokenizer.EncodePair(corpus[pair.First], pair.Second is int second ? corpus[second] : null, pair.MaxLength);
            ids.Ids(pair.First, corpus[pair.First], pair.Ids, encoded.InputIds);
            types.Ids(pair.First, corpus[pair.First], pair.TypeIds, encoded.TokenTypeIds);
        }
        ids.AssertNone();
        types.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoding_gives_the_reference_text(string name)
    {
        var tokenizer = GoldenSet.Tokenizer(name);
        var expected = GoldenSet.Load(name);
        var corpus = GoldenSet.Corpus;
        var mismatches = new Mismatches($"{name}, decoded text", tokenizer);
        for (int k = 0; k < expected.DecodedLines.Count; k++)
        {
            int line = expected.DecodedLines[k];
            mismatches.Text(line, corpus[line], expected.Decoded[k] ?? corpus[line], tokenizer.Decode(expected.Ids[line]));
        }
        mismatches.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Option_variants_match_the_reference(string name)
    {
        var corpus = GoldenSet.Corpus;
        foreach (var variant in GoldenSet.Load(name).Variants)
        {
            var tokenizer = GoldenSet.Tokenizer(name, variant.Config);
            string options = string.Join(", ", variant.Config.Select(kv => $"{kv.Key} = {kv.Value}"));
            var ids = new Mismatches($"{name} with {options}, ids", tokenizer);
            var texts = new Mismatches($"{name} with {options}, decoded text", tokenizer);
            for (int k = 0; k < variant.Lines.Count; k++)
            {
                int line = variant.Lines[k];
                var actual = tokenizer.Encode(corpus[line], addSpecialTokens: false);
                ids.Ids(line, corpus[line], variant.Ids[k], actual);
                if (variant.Decoded is { } decoded) texts.Text(line, corpus[line], decoded[k] ?? corpus[line], tokenizer.Decode(variant.Ids[k]));
            }
            ids.AssertNone();
            texts.AssertNone();
        }
    }
}
