using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class TokenizerTests
{
    [Fact]
    public void Coco_tokens_match_the_Stanford_PTB_tokenizer_and_pycocoevalcap_filter()
    {
        AssertAllTokenized("coco", CocoTokenizer.Tokenize);
    }

    [Fact]
    public void Coco_tokens_of_an_E2E_sentence()
    {
        // PTB: £ → #, clitics split, quotes and sentence punctuation removed, "-lrb-" survives lower-casing.
        Assert.Equal(["the", "wrestlers", "is", "n't", "cheap", "-lrb-", "#", "20-25", "-rrb-", "it", "'s", "family-friendly"],
            CocoTokenizer.Tokenize("The Wrestlers isn't cheap (£20-25). \"It's family-friendly!\""));
    }

    [Fact]
    public void Long_runs_of_punctuation_are_tokenised_without_deep_recursion()
    {
        // 100 000 "(" → "-lrb-" each (kept); 100 000 opening quotes → "`" each (removed); then "x".
        string[] tokens = CocoTokenizer.Tokenize(new string('(', 100_000) + new string('\'', 100_000) + "x");
        Assert.Equal(100_001, tokens.Length);
        Assert.Equal("-lrb-", tokens[0]);
        Assert.Equal("x", tokens[^1]);
    }

    [Fact]
    public void Mteval_tokens_match_mteval_v13a()
    {
        AssertAllTokenized("mteval", MtevalTokenizer.Tokenize);
    }

    [Fact]
    public void Mteval_splits_punctuation_but_keeps_numbers_and_folds_only_ASCII_case()
    {
        Assert.Equal(["École", "costs", "£20", "-", "25", ",", "3.5", "stars", "&", "it's", "."],
            MtevalTokenizer.Tokenize("École costs £20-25, 3.5 stars &amp; it's."));
        Assert.Equal(["Élan"], MtevalTokenizer.Tokenize("ÉLAN")); // tr/[A-Z]/[a-z]/ leaves É alone
    }

    [Fact]
    public void Meteor_normalizer_matches_Meteor_1_5()
    {
        AssertAllTokenized("meteor_normalizer", MeteorNormalizer.Normalize);
    }

    [Fact]
    public void Snowball_stems_match_Meteor_1_5()
    {
        var mismatches = MetricFixtures.Load("stems.json").GetProperty("stems").EnumerateObject()
            .Where(p => EnglishStemmer.Stem(p.Name) != p.Value.GetString())
            .Select(p => $"{p.Name}: expected {p.Value.GetString()}, got {EnglishStemmer.Stem(p.Name)}")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static void AssertAllTokenized(string section, Func<string, string[]> tokenize)
    {
        var mismatches = new List<string>();
        foreach (var c in MetricFixtures.Load("tokenizers.json").GetProperty(section).EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            string[] expected = c.GetProperty("tokens").Strings(), actual = tokenize(text);
            if (!expected.SequenceEqual(actual))
                mismatches.Add($"'{text}':\n  expected [{string.Join(" ", expected)}]\n  got      [{string.Join(" ", actual)}]");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Theory]
    [InlineData("running", "run")]
    [InlineData("generously", "generous")]
    [InlineData("skies", "sky")]
    [InlineData("hoping", "hope")]
    [InlineData("agreed", "agre")]
    [InlineData("family", "famili")]
    public void Stems_of_well_known_words(string word, string stem) => Assert.Equal(stem, EnglishStemmer.Stem(word));
}
