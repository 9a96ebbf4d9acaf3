using PeftSharp.Tokenization;

namespace PeftSharp.Tests.Tokenization;

public class PreTokenizerRegexTests
{
    private static List<string> Split(string pattern, string text)
    {
        var pieces = new List<Range>();
        new PreTokenizerRegex(pattern).Split(text, pieces);
        return pieces.Select(r => text[r]).ToList();
    }

    [Fact]
    public void Letters_and_digits_outside_the_BMP_count_as_letters_and_digits()
    {
        // Python's regex module: " 𝔘𝔫𝔦" is one \p{L}+ run with its space; "𝟙𝟚𝟛" one \p{N}+ run; emoji is "other".
        Assert.Equal(["Math", " 𝔘𝔫𝔦", " 𝟙𝟚𝟛", " 😀"], Split(PreTokenizerRegex.Gpt2Pattern, "Math 𝔘𝔫𝔦 𝟙𝟚𝟛 😀"));
        Assert.Equal(["a", "𠀀b"], Split(@"a|\p{L}+", "a𠀀b"));
    }

    [Fact]
    public void Gpt2_pattern_splits_contractions_numbers_and_spaces_as_GPT2()
    {
        Assert.Equal(["I", "'m", " here", ",", "  ", " 42", "!", "\n\n"], Split(PreTokenizerRegex.Gpt2Pattern, "I'm here,   42!\n\n"));
    }

    [Fact]
    public void Llama3_pattern_groups_digits_by_three_and_matches_contractions_in_any_case()
    {
        Assert.Equal(["123", "456", "7", " WE", "'LL"], Split(PreTokenizerRegex.Llama3Pattern, "1234567 WE'LL"));
    }

    [Fact]
    public void Text_the_pattern_does_not_match_is_kept_as_its_own_piece()
    {
        Assert.Equal(["x", "--", "y", "!"], Split(@"[a-z]|!", "x--y!"));
    }
}
