using PeftSharp.Tokenization;

namespace PeftSharp.Tests.Tokenization;

public class TruncationTests
{
    // Lengths 0, 2, 4, 8 truncated to a total of 7: the table of HF tokenizers' own longest_first tests.
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, 2, 0, 2)]
    [InlineData(0, 4, 0, 4)]
    [InlineData(0, 8, 0, 7)]
    [InlineData(2, 0, 2, 0)]
    [InlineData(2, 2, 2, 2)]
    [InlineData(2, 4, 2, 4)]
    [InlineData(2, 8, 2, 5)]
    [InlineData(4, 0, 4, 0)]
    [InlineData(4, 2, 4, 2)]
    [InlineData(4, 4, 3, 4)]
    [InlineData(4, 8, 3, 4)]
    [InlineData(8, 0, 7, 0)]
    [InlineData(8, 2, 5, 2)]
    [InlineData(8, 4, 4, 3)]
    [InlineData(8, 8, 3, 4)]
    public void LongestFirst_keeps_the_lengths_HF_keeps(int first, int second, int keepFirst, int keepSecond)
    {
        var (a, b) = Truncation.LongestFirst(first, second, 7);
        Assert.Equal((keepFirst, keepSecond), (Math.Min(a, first), Math.Min(b, second)));
    }

    [Fact]
    public void LongestFirst_to_zero_keeps_nothing()
    {
        Assert.Equal((0, 0), Truncation.LongestFirst(4, 4, 0));
    }
}
