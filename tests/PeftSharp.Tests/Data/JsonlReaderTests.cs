using System.Text;
using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

public class JsonlReaderTests
{
    private static JsonlData Read(string text, JsonlOptions? options = null) => JsonlReader.Read(Utf8(text), "x.jsonl", options);

    [Fact]
    public void Token_id_rows_keep_labels_and_default_missing_or_null_labels()
    {
        var data = JsonlReader.Read(Fixture("jsonl", "token_ids.jsonl"));
        Assert.Equal(JsonlFormat.TokenIds, data.Format);
        Assert.Equal(3, data.Examples.Count); // the blank line is skipped
        var first = Assert.IsType<TokenIdsExample>(data.Examples[0]);
        Assert.Equal([5, 6, 7], first.InputIds);
        Assert.Equal([-100, 6, 7], first.Labels!);
        var second = Assert.IsType<TokenIdsExample>(data.Examples[1]);
        Assert.Equal([8, 9], second.InputIds);
        Assert.Null(second.Labels);
        var third = Assert.IsType<TokenIdsExample>(data.Examples[2]); // "labels": null and the extra "id" field
        Assert.Equal([1], third.InputIds);
        Assert.Null(third.Labels);
    }

    [Fact]
    public void Text_rows_decode_json_escapes()
    {
        var data = JsonlReader.Read(Fixture("jsonl", "text.jsonl"));
        Assert.Equal(JsonlFormat.Text, data.Format);
        Assert.Equal([new TextExample("Hello world"), new TextExample("café \"quoted\"")], data.Examples);
    }

    [Fact]
    public void Prompt_completion_rows_are_read()
    {
        var data = JsonlReader.Read(Fixture("jsonl", "prompt_completion.jsonl"));
        Assert.Equal(JsonlFormat.PromptCompletion, data.Format);
        Assert.Equal([new PromptCompletionExample("Q: 2+2?\nA:", " 4")], data.Examples);
    }

    [Fact]
    public void Sentence_pair_rows_are_classification_examples()
    {
        var data = JsonlReader.Read(Fixture("jsonl", "pairs.jsonl"), new JsonlOptions { NumLabels = 3 });
        Assert.Equal(JsonlFormat.Classification, data.Format);
        Assert.Equal([new ClassificationExample("A man plays.", "A person plays.", 0), new ClassificationExample("x", "y", 2)], data.Examples);
        Assert.Equal(2, ((ClassificationExample)data.Examples[1]).ClassIndex);
    }

    [Fact]
    public void Single_sentence_rows_accept_any_number_as_a_regression_label()
    {
        var data = Read("{\"sentence\": \"a\", \"label\": 3.25}\n{\"sentence\": \"b\", \"label\": -1}\n", new JsonlOptions { NumLabels = 1 });
        Assert.Equal([new ClassificationExample("a", null, 3.25), new ClassificationExample("b", null, -1)], data.Examples);
    }

    [Theory]
    [InlineData("{\"text\": \"a\"}\n{\"text\": 5}", "x.jsonl:2: field 'text': expected a string, got number 5")]
    [InlineData("{\"text\": \"a\"}\n{\"text\": \"b\"", "x.jsonl:2: malformed JSON")]
    [InlineData("{\"text\": \"a\"}\n{\"text\": \"b\"} x", "x.jsonl:2: malformed JSON")]
    [InlineData("{\"text\": \"\"}", "x.jsonl:1: field 'text': expected a non-empty string")]
    [InlineData("{\"text\": \"a\", \"text\": \"b\"}", "x.jsonl:1: malformed JSON", "text")]
    [InlineData("{\"input_ids\": [1, \"2\"]}", "x.jsonl:1: field 'input_ids[1]': expected a token id ≥ 0, got string \"2\"")]
    [InlineData("{\"input_ids\": [1, -5]}", "x.jsonl:1: field 'input_ids[1]': expected a token id ≥ 0, got number -5")]
    [InlineData("{\"input_ids\": [1, 2.5]}", "field 'input_ids[1]'", "got number 2.5")]
    [InlineData("{\"input_ids\": [1, 99999999999]}", "field 'input_ids[1]'", "got number 99999999999")]
    [InlineData("{\"input_ids\": []}", "x.jsonl:1: field 'input_ids': expected a non-empty array")]
    [InlineData("{\"input_ids\": \"1 2 3\"}", "x.jsonl:1: field 'input_ids': expected an array of token ids, got string")]
    [InlineData("{\"input_ids\": [1, 2], \"labels\": [1]}", "x.jsonl:1: field 'labels': expected 2 labels (as many as input_ids), got 1")]
    [InlineData("{\"input_ids\": [1, 2], \"labels\": [1, -99]}", "x.jsonl:1: field 'labels[1]'", "or -100, got number -99")]
    [InlineData("{\"labels\": [1, 2]}", "x.jsonl:1: missing field 'input_ids'")]
    [InlineData("{\"prompt\": \"p\"}", "x.jsonl:1: missing field 'completion'")]
    [InlineData("{\"prompt\": null, \"completion\": \"c\"}", "x.jsonl:1: field 'prompt': expected a string, got null")]
    [InlineData("{\"text\": \"a\"}\n{\"prompt\": \"p\", \"completion\": \"c\"}", "x.jsonl:2: row has the prompt/completion shape, but line 1 set the file's format to text")]
    [InlineData("{\"text\": \"a\", \"label\": 1}", "x.jsonl:1: fields of different formats in one row: 'label' (classification) and 'text' (text)")]
    [InlineData("{\"foo\": 1}", "x.jsonl:1: no known fields (has: 'foo')")]
    [InlineData("{\"text\": \"a\\ud800b\"}", "x.jsonl:1: field 'text': expected a string of valid Unicode, got an escaped lone surrogate")]
    [InlineData("{\"te\\udc00xt\": \"a\"}", "x.jsonl:1: a field name escapes a lone UTF-16 surrogate")]
    [InlineData("[1, 2]", "x.jsonl:1: expected a JSON object, got an array of 2 items")]
    [InlineData("\"text\"", "x.jsonl:1: expected a JSON object, got string \"text\"")]
    [InlineData("{\"sentence\": \"a\", \"label\": [1]}", "x.jsonl:1: field 'label': expected a finite number, got an array of 1 items")]
    [InlineData("{\"sentence\": \"a\", \"label\": 1e999}", "x.jsonl:1: field 'label': expected a finite number, got number 1e999")]
    [InlineData("{\"sentence\": \"a\"}", "x.jsonl:1: missing field 'label'")]
    [InlineData("{\"sentence1\": \"a\", \"label\": 0}", "x.jsonl:1: missing field 'sentence2'")]
    [InlineData("{\"sentence\": \"a\", \"sentence1\": \"b\", \"sentence2\": \"c\", \"label\": 0}", "x.jsonl:1: row has both 'sentence' and 'sentence1'")]
    [InlineData("{\"sentence\": \"a\", \"label\": 1}\n{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 1}", "x.jsonl:2: unexpected 'sentence1'/'sentence2': line 1 holds a single 'sentence'")]
    [InlineData("{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 1}\n\n{\"sentence\": \"a\", \"label\": 1}", "x.jsonl:3: missing field 'sentence1'/'sentence2': line 1 holds a sentence pair")]
    public void Bad_rows_are_errors_naming_line_and_field(string jsonl, params string[] fragments) => Fails(() => Read(jsonl), fragments);

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\r\n")]
    [InlineData("\uFEFF")]
    public void Empty_file_is_an_error_naming_the_file(string text) =>
        Fails(() => Read(text), "x.jsonl: the file has no JSON rows");

    [Fact]
    public void Missing_file_is_an_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "peft-no-such-dir-" + Guid.NewGuid().ToString("N"), "train.jsonl");
        Fails(() => JsonlReader.Read(path), path, "cannot open data file");
    }

    [Theory]
    [InlineData(3, "{\"sentence\": \"a\", \"label\": 3}", "x.jsonl:2: field 'label': expected a class index in [0, 3), got number 3")]
    [InlineData(3, "{\"sentence\": \"a\", \"label\": -1}", "x.jsonl:2: field 'label': expected a class index in [0, 3), got number -1")]
    [InlineData(2, "{\"sentence\": \"a\", \"label\": 0.5}", "x.jsonl:2: field 'label': expected a class index in [0, 2), got number 0.5")]
    public void Labels_outside_the_declared_classes_are_errors(int numLabels, string secondRow, string message) =>
        Fails(() => Read("{\"sentence\": \"ok\", \"label\": 1}\n" + secondRow, new JsonlOptions { NumLabels = numLabels }), message);

    [Fact]
    public void Token_ids_at_or_above_the_vocabulary_size_are_errors()
    {
        var options = new JsonlOptions { VocabSize = 10 };
        Assert.Single(Read("{\"input_ids\": [0, 9], \"labels\": [-100, 9]}", options).Examples);
        Fails(() => Read("{\"input_ids\": [0, 10]}", options), "x.jsonl:1: field 'input_ids[1]': expected a token id in [0, 10), got number 10");
        Fails(() => Read("{\"input_ids\": [0, 1], \"labels\": [0, 10]}", options), "x.jsonl:1: field 'labels[1]'", "got number 10");
    }

    [Fact]
    public void Invalid_utf8_is_an_error_naming_the_line()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"text\": \"ok\"}\n{\"text\": \"a")
            .Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        Fails(() => JsonlReader.Read(new MemoryStream(bytes), "x.jsonl"), "x.jsonl:2: invalid UTF-8 at byte 12 of the line");
    }

    [Fact]
    public void Crlf_line_ends_and_a_byte_order_mark_are_accepted()
    {
        var data = Read("\uFEFF{\"text\": \"a\"}\r\n{\"text\": \"b\"}\r\n");
        Assert.Equal([new TextExample("a"), new TextExample("b")], data.Examples);
    }

    [Fact]
    public void A_line_of_a_million_token_ids_is_read_with_work_linear_in_its_length()
    {
        // Work is counted as the bytes the read allocates on this thread (a quadratic line buffer or id list shows
        // there as 4× more per id on the longer line); time is not measured, so a busy machine cannot fail this.
        static (long Allocated, int[] Ids, JsonlData Data) ReadIds(int count)
        {
            var ids = Enumerable.Range(0, count).Select(i => i % 50_000).ToArray();
            var line = "{\"input_ids\": [" + string.Join(",", ids) + "]}";
            long before = GC.GetAllocatedBytesForCurrentThread();
            var data = Read(line);
            return (GC.GetAllocatedBytesForCurrentThread() - before, ids, data);
        }
        ReadIds(1000); // the first read also allocates what the reader's types need once
        Hangs.WithinLimit(done =>
        {
            var (shortAllocated, _, _) = ReadIds(250_000);
            done();
            var (longAllocated, ids, data) = ReadIds(1_000_000);
            Assert.Equal(ids, ((TokenIdsExample)data.Examples[0]).InputIds);
            double perIdGrowth = (longAllocated / 1e6) / (shortAllocated / 2.5e5);
            Assert.True(perIdGrowth < 1.5, $"bytes allocated per id grew {perIdGrowth:F2}× from 250,000 to 1,000,000 ids ({shortAllocated} → {longAllocated} bytes)");
            done();
        });
    }
}

public class JsonlReferencesTests
{
    [Fact]
    public void Prompt_completion_rows_may_list_references_for_generation_metrics()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("peft-refs-").FullName, "dev.jsonl");
        File.WriteAllText(path, """
            {"prompt": "bank (noun):", "completion": " sloping land", "references": ["sloping land", "a financial institution"]}
            {"prompt": "run (verb):", "completion": " move fast"}
            """);
        var rows = PeftSharp.Data.JsonlReader.Read(path).Examples.Cast<PeftSharp.Data.PromptCompletionExample>().ToList();
        Assert.Equal(["sloping land", "a financial institution"], rows[0].ForGeneration().References);
        Assert.Equal(["move fast"], rows[1].ForGeneration().References);
        File.WriteAllText(path, """{"prompt": "a", "completion": " b", "references": [1]}""");
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftSharp.Data.JsonlReader.Read(path));
        Assert.Contains(":1", e.Message);
        Assert.Contains("references[0]", e.Message);
    }
}
