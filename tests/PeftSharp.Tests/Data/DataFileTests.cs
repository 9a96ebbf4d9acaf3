using System.Text;
using PeftSharp.Data;

namespace PeftSharp.Tests.Data;

public class DataFileTests
{
    [Fact]
    public void Lines_across_read_buffer_boundaries_match_a_plain_split()
    {
        // Line lengths around the 64 KiB read buffer, so line ends fall on, before and after its edges.
        var random = new Random(7);
        var lines = Enumerable.Range(0, 40).Select(i => new string((char)('a' + i % 26), random.Next(0, 3) == 0 ? 65_535 + random.Next(-2, 3) : random.Next(0, 300))).ToList();
        var text = string.Join("\n", lines);
        var read = DataFile.ReadLines(new MemoryStream(Encoding.UTF8.GetBytes(text)), "x").ToList();
        Assert.Equal(lines.Count(l => true), read.Count);
        Assert.Equal(lines, read.Select(r => r.Text));
        Assert.Equal(Enumerable.Range(1, lines.Count), read.Select(r => r.Number));
    }

    [Fact]
    public void Multibyte_characters_split_across_buffers_decode_correctly()
    {
        var line = string.Concat(Enumerable.Repeat("é€😀", 30_000)); // 2-, 3- and 4-byte sequences, > 64 KiB
        var read = DataFile.ReadLines(new MemoryStream(Encoding.UTF8.GetBytes(line + "\n" + line)), "x").ToList();
        Assert.Equal([line, line], read.Select(r => r.Text));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_an_error_not_an_allocation()
    {
        var text = "short\n" + new string('x', 5000) + "\n";
        var error = Assert.ThrowsAny<PeftSharpException>(() => DataFile.ReadLines(new MemoryStream(Encoding.UTF8.GetBytes(text)), "big.jsonl", maxLineBytes: 1000).ToList());
        Assert.Equal("big.jsonl:2: line longer than 1000 bytes; is this really a text data file?", error.Message);
    }
}
