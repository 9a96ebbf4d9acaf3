using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

public class CommonsenseTests
{
    private const string BoolqInstruction = "Please answer the following question with true or false, question: do iran and afghanistan speak the same language?\n\nAnswer format: true/false";

    private static IReadOnlyList<CommonsenseExample> Read(string json, string? task = null) =>
        CommonsenseReader.Read(Utf8(json), "c.json", task is null ? null : CommonsenseTask.Get(task));

    [Fact]
    public void Reads_the_merged_training_list()
    {
        var examples = CommonsenseReader.Read(Fixture("commonsense", "train.json"));
        Assert.Equal(2, examples.Count);
        Assert.Equal(new CommonsenseExample(null, BoolqInstruction, "", "the correct answer is true", "true"), examples[0]);
        Assert.Equal("solution2", examples[1].Answer);
        Assert.StartsWith("Please choose the correct solution", examples[1].Instruction);
    }

    [Fact]
    public void A_task_file_records_the_canonical_task_name()
    {
        var example = Assert.Single(CommonsenseReader.Read(Fixture("commonsense", "boolq_test.json"), "BoolQ"));
        Assert.Equal("boolq", example.Task);
    }

    [Fact]
    public void An_answer_the_task_cannot_produce_is_an_error_at_the_entry_line()
    {
        // The second entry of the indented list starts on line 8.
        Fails(() => CommonsenseReader.Read(Fixture("commonsense", "train.json"), "boolq"),
            "train.json:8: field 'answer': expected one of true, false for boolq, got \"solution2\"");
    }

    [Fact]
    public void JSON_lines_files_are_accepted_too()
    {
        var examples = Read("{\"instruction\": \"q\", \"input\": \"\", \"output\": \"the correct answer is option2\", \"answer\": \"option2\"}\n", "winogrande");
        Assert.Equal([new CommonsenseExample("winogrande", "q", "", "the correct answer is option2", "option2")], examples);
    }

    [Theory]
    [InlineData("[\n{\"instruction\": \"q\", \"input\": \"\", \"output\": \"o\"}\n]", "c.json:2: missing field 'answer'")]
    [InlineData("[\n{\"instruction\": \"q\", \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"},\n{\"instruction\": 3, \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"}\n]",
        "c.json:3: field 'instruction': expected a string, got number 3")]
    [InlineData("[\n{\"instruction\": \"q\", \"input\": null, \"output\": \"o\", \"answer\": \"true\"}]", "c.json:2: field 'input': expected a string, got null")]
    [InlineData("[{\"instruction\": \"\", \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"}]", "c.json:1: field 'instruction': expected a non-empty string")]
    [InlineData("[{\"instruction\": \"q\", \"input\": \"\", \"output\": \"o\", \"answer\": \"maybe\"}]", "c.json:1: field 'answer': expected a commonsense answer", "got \"maybe\"")]
    [InlineData("[\n\"just a string\"\n]", "c.json:2: expected a JSON object, got string")]
    [InlineData("[\n{\"instruction\": \"q\",\n \"input\": \"\" \"output\": \"o\"}]", "c.json:3: malformed JSON")]
    [InlineData("[\n{\"instruction\": \"q\", \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"}\n", "c.json:3: malformed JSON")]
    [InlineData("[{\"instruction\": \"q\", \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"}] []", "c.json:1: malformed JSON")]
    [InlineData("[{\"instruction\": \"q\", \"instruction\": \"r\", \"input\": \"\", \"output\": \"o\", \"answer\": \"true\"}]", "c.json:1: malformed JSON entry")]
    [InlineData("[]", "c.json: the file has no entries")]
    [InlineData("  \n ", "c.json: the file has no entries")]
    public void Bad_entries_are_errors_naming_line_and_field(string json, params string[] fragments) =>
        Fails(() => Read(json), fragments);

    [Fact]
    public void Invalid_utf8_is_an_error_naming_the_line()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("[\n{\"instruction\": \"q\",\n \"input\": \"a")
            .Concat(new byte[] { 0xFF }).Concat(System.Text.Encoding.UTF8.GetBytes("\", \"output\": \"o\", \"answer\": \"true\"}]")).ToArray();
        Fails(() => CommonsenseReader.Read(new MemoryStream(bytes), "c.json", null), "c.json:3: invalid UTF-8 at byte 13 of the line");
    }

    [Fact]
    public void Clean_training_prompt_is_the_DoRA_template_without_indentation()
    {
        var example = new CommonsenseExample("boolq", "Is it?", "", "the correct answer is true", "true");
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.  \n\n" +
            "### Instruction:\nIs it?\n\n### Response:\nthe correct answer is true",
            CommonsensePrompt.Train(example));
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.  \n\n" +
            "### Instruction:\nIs it?\n\n### Response:\n",
            CommonsensePrompt.Eval(example));
    }

    [Fact]
    public void Reference_prompts_reproduce_the_scripts_byte_for_byte()
    {
        var example = new CommonsenseExample("boolq", "Is it?", "", "the correct answer is true", "true");
        const string sixteen = "                ";
        // finetune.py: two spaces after "request.", 16 spaces on the blank line between sections.
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.  \n" +
            "\n" +
            sixteen + "### Instruction:\n" +
            sixteen + "Is it?\n" +
            sixteen + "\n" +
            sixteen + "### Response:\n" +
            sixteen + "the correct answer is true",
            CommonsensePrompt.Train(example, referenceIndentation: true));
        // commonsense_evaluate.py: one space after "request.", empty blank lines, ends with the indentation.
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request. \n" +
            "\n" +
            sixteen + "### Instruction:\n" +
            sixteen + "Is it?\n" +
            "\n" +
            sixteen + "### Response:\n" +
            sixteen,
            CommonsensePrompt.Eval(example, referenceIndentation: true));
    }

    [Fact]
    public void A_non_empty_input_selects_the_input_branch()
    {
        var example = new CommonsenseExample(null, "Do it.", "with this", "done", "true");
        Assert.Equal(
            "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request. \n\n" +
            "### Instruction:\nDo it.\n\n### Input:\nwith this\n\n### Response:\ndone",
            CommonsensePrompt.Train(example));
    }

    [Theory]
    [InlineData("boolq", "Below ... ### Response:\nthe correct answer is true", "true")]
    [InlineData("boolq", "### Response:\nthe correct answer is false. true?", "false")]
    [InlineData("boolq", "### Response:\nThe correct answer is True", null)] // case-sensitive, as the reference
    [InlineData("piqa", "### Response: answer1 ### Response:\nthe correct answer is solution2", "solution2")] // after the last marker
    [InlineData("social_i_qa", "the correct answer is answer3 or answer1", "answer3")] // no marker: whole text, first match
    [InlineData("hellaswag", "### Response:\nending5 then ending4", "ending4")]
    [InlineData("ARC-Challenge", "### Response:\nanswer6", null)]
    [InlineData("winogrande", "### Response:\n", null)]
    public void Answer_extraction_takes_the_first_match_after_the_last_response_marker(string task, string generated, string? expected) =>
        Assert.Equal(expected, CommonsenseTask.Get(task).ExtractAnswer(generated));

    [Theory]
    [InlineData("siqa", "social_i_qa")]
    [InlineData("Social_I_QA", "social_i_qa")]
    [InlineData("arc-c", "ARC-Challenge")]
    [InlineData("arc_easy", "ARC-Easy")]
    [InlineData("OBQA", "openbookqa")]
    [InlineData("HellaSwag", "hellaswag")]
    public void Task_names_accept_common_spellings(string name, string canonical) =>
        Assert.Equal(canonical, CommonsenseTask.Get(name).Name);

    [Fact]
    public void Unknown_task_is_an_error_listing_the_tasks() =>
        Fails(() => CommonsenseTask.Get("gsm8k"), "unknown commonsense task 'gsm8k'", "boolq, piqa, social_i_qa, hellaswag, winogrande, ARC-Challenge, ARC-Easy, openbookqa");
}
