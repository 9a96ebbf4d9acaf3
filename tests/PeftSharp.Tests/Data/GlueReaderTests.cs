using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

public class GlueReaderTests
{
    private static IReadOnlyList<ClassificationExample> Read(string task, params string[] path) => GlueReader.Read(task, Fixture(["glue", .. path]));

    private static IReadOnlyList<ClassificationExample> ReadTsv(string task, string text, Action<string>? warn = null) =>
        GlueReader.ReadTsv(GlueTask.Get(task), Utf8(text), "x.tsv", warn);

    [Fact]
    public void CoLA_train_has_no_header_and_labels_in_the_second_column()
    {
        Assert.Equal(
        [
            new ClassificationExample("Our friends won't buy this analysis, let alone the next one we propose.", null, 1),
            new ClassificationExample("They drank the pub.", null, 0),
            new ClassificationExample("The \"book\" was read by \"everyone.", null, 1),
        ], Read("cola", "CoLA", "train.tsv"));
    }

    [Fact]
    public void CoLA_test_has_a_header_and_no_labels()
    {
        Assert.Equal(
        [
            new ClassificationExample("Bill whistled past the house.", null, null),
            new ClassificationExample("The car honked its way down the road.", null, null),
        ], Read("CoLA", "CoLA", "test.tsv"));
    }

    [Fact]
    public void SST2_keeps_quote_characters_as_text()
    {
        Assert.Equal(
        [
            new ClassificationExample("hide new secretions from the parental units ", null, 0),
            new ClassificationExample("\" a movie that 's so \" good ", null, 1),
            new ClassificationExample("the greatest musicians ", null, 1),
        ], Read("SST-2", "SST-2", "train.tsv"));
        Assert.Equal([new ClassificationExample("uneasy mishmash of styles and genres .", null, null)], Read("sst2", "SST-2", "test.tsv"));
    }

    [Fact]
    public void MRPC_reads_the_string_columns_after_a_byte_order_mark()
    {
        var rows = Read("mrpc", "MRPC", "train.tsv");
        Assert.Equal(2, rows.Count);
        Assert.Equal("Amrozi accused his brother , whom he called \" the witness \" , of deliberately distorting his evidence .", rows[0].Text);
        Assert.Equal("Referring to him as only \" the witness \" , Amrozi accused his brother of deliberately distorting his evidence .", rows[0].TextPair);
        Assert.Equal([1.0, 0.0], rows.Select(r => r.Label!.Value));
        var test = Assert.Single(Read("mrpc", "MRPC", "test.tsv"));
        Assert.Null(test.Label);
        Assert.StartsWith("PCCW 's chief", test.Text);
    }

    [Fact]
    public void QQP_skips_rows_with_missing_fields_and_says_so()
    {
        var warnings = new List<string>();
        var rows = GlueReader.Read("qqp", Fixture("glue", "QQP", "train.tsv"), warnings.Add);
        Assert.Equal(
        [
            new ClassificationExample("How is the life of a math student? Could you describe your own experiences?", "Which level of prepration is enough for the exam jlpt5?", 0),
            new ClassificationExample("How do I control my horny emotions?", "How do you control your horniness?", 1),
        ], rows);
        var warning = Assert.Single(warnings);
        Assert.Contains("skipped 2 row(s) with missing fields (first at line 3)", warning);
        Assert.Equal([new ClassificationExample("Why am I mentally very lonely? How can I solve it?", "Find the remainder when [math]23^{24}[/math] is divided by 24,23?", null)],
            Read("qqp", "QQP", "test.tsv"));
    }

    [Fact]
    public void STSB_scores_are_float32_values_in_zero_to_five()
    {
        var rows = Read("sts-b", "STS-B", "train.tsv");
        Assert.Equal(["A plane is taking off.", "A man is playing a large flute.", "Café prices rise"], rows.Select(r => r.Text));
        Assert.Equal(["An air plane is taking off.", "A man is playing a flute.", "Prices of coffee go up"], rows.Select(r => r.TextPair!));
        Assert.Equal([5.0, (double)3.8f, (double)0.333f], rows.Select(r => r.Label!.Value)); // HF stores float32
        Assert.Null(Assert.Single(Read("stsb", "STS-B", "test.tsv")).Label);
    }

    [Fact]
    public void MNLI_maps_gold_labels_to_HF_order_in_train_dev_and_test_files()
    {
        var train = Read("mnli", "MNLI", "train.tsv");
        Assert.Equal([1.0, 0.0, 2.0], train.Select(r => r.Label!.Value)); // neutral, entailment, contradiction
        Assert.Equal("One of our number will carry out your instructions minutely .\"", train[2].Text);
        Assert.Equal("A member of my team will execute your orders with immense precision.", train[2].TextPair);
        var dev = Assert.Single(Read("mnli_matched", "MNLI", "dev_matched.tsv"));
        Assert.Equal(new ClassificationExample("The new rights are nice enough", "Everyone really likes the newest benefits ", 1), dev);
        Assert.Null(Assert.Single(Read("MNLI", "MNLI", "test_matched.tsv")).Label);
    }

    [Fact]
    public void QNLI_RTE_and_WNLI_use_their_own_label_orders()
    {
        Assert.Equal([1.0, 0.0], Read("qnli", "QNLI", "train.tsv").Select(r => r.Label!.Value)); // not_entailment, entailment
        Assert.Equal("When did the third Digimon series begin?", Read("qnli", "QNLI", "train.tsv")[0].Text);
        Assert.Null(Assert.Single(Read("qnli", "QNLI", "test.tsv")).Label);
        Assert.Equal([1.0, 0.0], Read("rte", "RTE", "train.tsv").Select(r => r.Label!.Value));
        Assert.Equal(new ClassificationExample("Mangla was summoned after Madhumita's sister Nidhi Shukla, who was the first witness in the case.", "Shukla is related to Mangla.", null),
            Assert.Single(Read("rte", "RTE", "test.tsv")));
        Assert.Equal([1.0, 1.0, 0.0], Read("wnli", "WNLI", "train.tsv").Select(r => r.Label!.Value)); // WNLI: 1 = entailment
    }

    [Fact]
    public void Task_table_matches_HF_label_sets()
    {
        Assert.Equal(["entailment", "neutral", "contradiction"], GlueTask.Get("mnli").Labels);
        Assert.Equal(["entailment", "not_entailment"], GlueTask.Get("rte").Labels);
        Assert.Equal(["not_entailment", "entailment"], GlueTask.Get("wnli").Labels);
        Assert.Equal(1, GlueTask.Get("stsb").NumLabels);
        Assert.Equal(3, GlueTask.Get("MNLI").NumLabels);
        Assert.Equal(9, GlueTask.All.Count);
        Fails(() => GlueTask.Get("squad"), "unknown GLUE task 'squad'", "cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli");
    }

    [Theory]
    [InlineData("rte", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\tmaybe\n",
        "x.tsv:3: field 'label': expected one of entailment, not_entailment or a class index in [0, 2), got \"maybe\"")]
    [InlineData("wnli", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\t2\n", "x.tsv:2: field 'label': expected one of not_entailment, entailment or a class index in [0, 2), got \"2\"")]
    [InlineData("mnli", "index\tsentence1\tsentence2\tgold_label\n0\ta\tb\t-\n", "x.tsv:2: field 'gold_label'", "got \"-\"")]
    [InlineData("stsb", "index\tsentence1\tsentence2\tscore\n0\ta\tb\t5.5\n", "x.tsv:2: field 'score': expected a score in [0, 5], got 5.5")]
    [InlineData("stsb", "index\tsentence1\tsentence2\tscore\n0\ta\tb\tNaN\n", "x.tsv:2: field 'score': expected a number, got \"NaN\"")]
    [InlineData("sst2", "text\tlabel\nfine\t1\n", "x.tsv:1: header has no column 'sentence'", "\"text\"", "is this a sst2 TSV file?")]
    [InlineData("qqp", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\t1\n", "x.tsv:1: header has no column 'question1'")]
    [InlineData("cola", "", "x.tsv: the file has no header or rows")]
    [InlineData("sst2", "sentence\tlabel\n", "x.tsv: the file has no usable sst2 rows")]
    [InlineData("sst2", "sentence\tlabel\nonly one field\n", "x.tsv: the file has no usable sst2 rows")]
    public void Bad_tsv_content_is_an_error_naming_the_line(string task, string tsv, params string[] fragments) =>
        Fails(() => ReadTsv(task, tsv), fragments);

    [Fact]
    public void Rows_with_an_empty_label_are_skipped_like_HF_does()
    {
        var warnings = new List<string>();
        var rows = ReadTsv("sst2", "sentence\tlabel\na\t1\nb\t\nc\t0\n", warnings.Add);
        Assert.Equal(["a", "c"], rows.Select(r => r.Text));
        Assert.Contains("skipped 1 row(s) with missing fields (first at line 3)", Assert.Single(warnings));
    }

    [Fact]
    public void Extra_fields_beyond_the_header_are_ignored()
    {
        var rows = ReadTsv("rte", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\textra\n");
        Assert.Equal([new ClassificationExample("a", "b", 0)], rows);
    }

    [Fact]
    public void Missing_file_is_an_error_naming_the_path() =>
        Fails(() => GlueReader.Read("rte", "/nonexistent/RTE/train.tsv"), "/nonexistent/RTE/train.tsv");
}
