using PeftSharp.Data;
using PeftSharp.Tokenization;

namespace PeftSharp.Tests.Data;

/// <summary>
/// Classification labels follow the declared label space (labels.json next to the data, the adapter's classes, or the
/// training data's own labels): class indices or class names, never a task type guessed from one stray value.
/// </summary>
public class ClassLabelTests
{
    private static readonly ITextTokenizer Tokenizer = TokenizerLoader.Load(Fixtures.PathOf("tokenization", "gpt2-tiny"));

    /// <summary>A folder with the given files (name → lines).</summary>
    private static string Folder(params (string Name, string[] Lines)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("peft-labels-").FullName;
        foreach (var (name, lines) in files) File.WriteAllLines(Path.Combine(dir, name), lines);
        return dir;
    }

    private static string Row(object label) => $$"""{"sentence": "some words", "label": {{label}}}""";

    private static TaskData Prepare(string folder, TaskSpec? task = null, string? eval = "dev.jsonl", double? split = null, int? numLabels = null, IReadOnlyList<string>? names = null) =>
        TaskData.Prepare(task ?? TaskSpec.Classification, Path.Combine(folder, "train.jsonl"), eval is null ? null : Path.Combine(folder, eval), Tokenizer, 32,
            new DataOptions(EvalSplit: split), _ => { }, numLabels, names);

    private static string Fails(Action action) => Assert.ThrowsAny<PeftSharpException>(action).Message;

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("4")]
    public void A_stray_label_with_labels_json_of_4_classes_is_an_error_at_its_line_not_regression(string stray)
    {
        var folder = Folder(("labels.json", ["""["a", "b", "c", "d"]"""]), ("train.jsonl", [Row(0), Row(3), Row(stray), Row(1)]), ("dev.jsonl", [Row(2)]));
        var message = Fails(() => Prepare(folder));
        Assert.StartsWith($"{Path.Combine(folder, "train.jsonl")}:3: field 'label': expected a class index in [0, 4) or one of the class names ('a', 'b', 'c', 'd')", message);
        Assert.Contains($"(the classes of {Path.Combine(folder, "labels.json")}), got number {stray}", message);
    }

    [Fact]
    public void Labels_json_classes_are_used_by_name_or_index()
    {
        var folder = Folder(("labels.json", ["""["neg", "pos", "neutral"]"""]), ("train.jsonl", [Row("\"pos\""), Row("\"neutral\""), Row("\"neg\"")]), ("dev.jsonl", [Row(2)]));
        var data = Prepare(folder);
        Assert.Equal(3, data.NumLabels);
        Assert.Equal(["neg", "pos", "neutral"], data.LabelNames!);
        Assert.Equal([1, 2, 0], data.Train.Select(e => e.ClassLabel!.Value));
        Assert.Equal(2, Assert.Single(data.Eval!).ClassLabel);
        File.WriteAllLines(Path.Combine(folder, "dev.jsonl"), [Row("\"positive\"")]);
        Assert.StartsWith($"{Path.Combine(folder, "dev.jsonl")}:1: field 'label': expected one of the 3 class names ('neg', 'pos', 'neutral')", Fails(() => Prepare(folder)));
    }

    [Fact]
    public void String_labels_without_labels_json_become_classes_in_ordinal_order()
    {
        var folder = Folder(("train.jsonl", [Row("\"pos\""), Row("\"neg\""), Row("\"neutral\""), Row("\"pos\"")]), ("dev.jsonl", [Row("\"neg\""), Row("\"pos\"")]));
        var data = Prepare(folder);
        Assert.Equal(["neg", "neutral", "pos"], data.LabelNames!);
        Assert.Equal([2, 0, 1, 2], data.Train.Select(e => e.ClassLabel!.Value));
        Assert.Equal([0, 2], data.Eval!.Select(e => e.ClassLabel!.Value));
        // The dev set is held to the training data's classes, at its line.
        File.WriteAllLines(Path.Combine(folder, "dev.jsonl"), [Row("\"neg\""), Row("\"maybe\"")]);
        Assert.StartsWith($"{Path.Combine(folder, "dev.jsonl")}:2: field 'label': expected one of the 3 class names ('neg', 'neutral', 'pos') (the classes of {Path.Combine(folder, "train.jsonl")})",
            Fails(() => Prepare(folder)));
    }

    [Fact]
    public void One_file_uses_class_names_or_class_indices_not_both()
    {
        var folder = Folder(("train.jsonl", [Row("\"pos\""), Row(1)]));
        Assert.Equal($"{Path.Combine(folder, "train.jsonl")}:2: field 'label' is a number, but line 1 names its class; one file uses class names or class indices, not both",
            Fails(() => Prepare(folder, eval: null)));
    }

    [Fact]
    public void Numeric_targets_need_the_regression_task()
    {
        var folder = Folder(("train.jsonl", [Row(0), Row(2.5), Row(1)]));
        Assert.Contains(":2: field 'label': expected a class index (an integer ≥ 0) or a class name; a numeric target needs the regression task, got number 2.5",
            Fails(() => Prepare(folder, eval: null)));
        var regression = Prepare(folder, TaskSpec.Regression, eval: null);
        Assert.Equal(1, regression.NumLabels);
        Assert.Equal([0, 2.5, 1], regression.Train.Select(e => e.Target!.Value));
        File.WriteAllLines(Path.Combine(folder, "train.jsonl"), [Row(0.5), Row("\"high\"")]);
        Assert.Contains(":2: field 'label': expected a number (the task is regression)", Fails(() => Prepare(folder, TaskSpec.Regression, eval: null)));
    }

    [Fact]
    public void Integer_labels_give_max_plus_one_classes_and_an_adapter_fixes_the_count()
    {
        var folder = Folder(("train.jsonl", [Row(0), Row(2)]), ("dev.jsonl", [Row(1), Row(3)]));
        Assert.Contains("dev.jsonl:2: field 'label': expected a class index in [0, 3)", Fails(() => Prepare(folder)));
        // Evaluating an adapter: its head's classes decide, and the message says so.
        Assert.Equal($"{Path.Combine(folder, "dev.jsonl")}:2: field 'label': expected a class index in [0, 2) (the classes of the adapter's head), got number 3",
            Fails(() => TaskData.Prepare(TaskSpec.Classification, null, Path.Combine(folder, "dev.jsonl"), Tokenizer, 32, new DataOptions(), _ => { }, numLabels: 2, classesFrom: "the adapter's head")));
    }

    [Fact]
    public void An_eval_split_holds_out_the_same_examples_whatever_else_changes()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $$"""{"sentence": "row {{i}}", "label": {{i % 2}}}""").ToArray();
        var folder = Folder(("train.jsonl", rows));
        var first = Prepare(folder, eval: null, split: 0.1);
        var again = Prepare(folder, eval: null, split: 0.1);
        Assert.Equal((18, 2), (first.Train.Count, first.Eval!.Count));
        Assert.Equal(first.Eval.Select(e => e.InputIds), again.Eval!.Select(e => e.InputIds));
        Assert.Empty(first.Eval.Select(e => string.Join(",", e.InputIds)).Intersect(first.Train.Select(e => string.Join(",", e.InputIds))));
        Assert.Contains("too few", Fails(() => Prepare(Folder(("train.jsonl", [Row(0)])), eval: null, split: 0.5)));
    }
}
