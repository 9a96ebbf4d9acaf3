using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

public class E2EReaderTests
{
    private const string VaultsMr = "name[The Vaults], eatType[pub], priceRange[more than £30], customerRating[5 out of 5], near[Café Adriatic]";
    private const string BlueMr = "name[The Cambridge Blue], eatType[pub], food[English], priceRange[cheap], near[Café Brazil]";

    [Fact]
    public void Official_csv_pairs_keep_commas_doubled_quotes_and_line_breaks()
    {
        Assert.Equal(
        [
            new E2EExample(VaultsMr, "The Vaults pub near Café Adriatic has a 5 star rating.  Prices start at £30."),
            new E2EExample(BlueMr, "Close to Café Brazil, The Cambridge Blue pub serves delicious Tuscan Beef for the cheap price of £10.50. \"Delicious\" Pub food."),
            new E2EExample(VaultsMr, "The Vaults pub,\nnear Café Adriatic, is rated 5 out of 5."),
        ], E2EReader.ReadPairs(Fixture("e2e", "trainset.csv")));
    }

    [Fact]
    public void Evaluation_groups_collect_references_per_MR_in_first_appearance_order()
    {
        var groups = E2EReader.ReadGroups(Fixture("e2e", "trainset.csv"));
        Assert.Equal(2, groups.Count);
        Assert.Equal(VaultsMr, groups[0].Source);
        Assert.Equal(["The Vaults pub near Café Adriatic has a 5 star rating.  Prices start at £30.", "The Vaults pub,\nnear Café Adriatic, is rated 5 out of 5."], groups[0].References);
        Assert.Equal(BlueMr, groups[1].Source);
        Assert.Single(groups[1].References);
    }

    [Fact]
    public void The_unreferenced_test_set_gives_groups_without_references_but_no_training_pairs()
    {
        var groups = E2EReader.ReadGroups(Fixture("e2e", "testset.csv"));
        Assert.Equal(["name[Blue Spice], eatType[coffee shop], area[city centre]", "name[Blue Spice], eatType[coffee shop], area[riverside]"], groups.Select(g => g.Source));
        Assert.All(groups, g => Assert.Empty(g.References));
        Fails(() => E2EReader.ReadPairs(Fixture("e2e", "testset.csv")), "testset.csv: no 'ref' column");
    }

    [Fact]
    public void LoRA_text_layout_is_read_and_grouped()
    {
        const string centre = "name : Blue Spice | Type : coffee shop | area : city centre";
        var pairs = E2EReader.ReadPairs(Fixture("e2e", "test.txt"));
        Assert.Equal(3, pairs.Count);
        Assert.Equal(new E2EExample(centre, "A coffee shop in the city centre area called Blue Spice ."), pairs[0]);
        var groups = E2EReader.ReadGroups(Fixture("e2e", "test.txt"));
        Assert.Equal(2, groups.Count);
        Assert.Equal(centre, groups[0].Source);
        Assert.Equal(["A coffee shop in the city centre area called Blue Spice .", "Blue Spice is a coffee shop in the city centre ."], groups[0].References);
        Assert.Equal(["Blue Spice is a coffee shop by the riverside ."], groups[1].References);
    }

    [Theory]
    [InlineData("e.csv", "mr,ref\n\"a[b]\",\"never closed\n\nmore", "e.csv:2: malformed CSV: quoted field never closed")]
    [InlineData("e.csv", "mr,ref\n\"a[b]\"x,\"r\"\n", "e.csv:2: malformed CSV: text after a closing quote at column 7")]
    [InlineData("e.csv", "mr,ref\na,b\n\"c, d\",e,f\n", "e.csv:3: expected 2 fields as in the header, got 3")]
    [InlineData("e.csv", "meaning,reference\na,b\n", "e.csv:1: header has no 'mr' column")]
    [InlineData("e.csv", "mr,ref\n\"a[b]\",\"  \"\n", "e.csv:2: field 'ref': expected a non-empty text")]
    [InlineData("e.csv", "mr,ref\n", "e.csv: the file has no E2E rows")]
    [InlineData("e.csv", "", "e.csv: the file has no E2E rows")]
    [InlineData("e.txt", "a : b||ref\nno separator here\n", "e.txt:2: expected 'MR||reference', got \"no separator here\"")]
    [InlineData("e.txt", "a||b||c\n", "e.txt:1: more than one '||' separator")]
    [InlineData("e.txt", "||ref\n", "e.txt:1: field 'mr': expected a non-empty text")]
    [InlineData("e.txt", "\n\n", "e.txt: the file has no E2E rows")]
    public void Bad_rows_are_errors_naming_the_line(string name, string content, string message) =>
        Fails(() => E2EReader.ReadPairs(Utf8(content), name), message);

    [Fact]
    public void Quotes_inside_unquoted_fields_are_kept_as_characters()
    {
        var pairs = E2EReader.ReadPairs(Utf8("mr,ref\r\nname[5\" pub],it's a \"pub\"\r\n\"x, y\",\"\"\"z\"\"\"\r\n"), "q.csv");
        Assert.Equal([new E2EExample("name[5\" pub]", "it's a \"pub\""), new E2EExample("x, y", "\"z\"")], pairs);
    }
}
