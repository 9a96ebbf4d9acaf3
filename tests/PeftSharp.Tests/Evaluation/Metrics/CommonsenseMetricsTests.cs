using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class CommonsenseMetricsTests
{
    [Fact]
    public void Accuracy_per_task_and_the_unweighted_average()
    {
        var scores = CommonsenseMetrics.Compute(
        [
            new("boolq", "true", "true"), new("piqa", "solution1", "solution2"), new("boolq", "false", "true"),
            new("boolq", "false", "false"), new("piqa", null, "solution1"), new("piqa", "solution1", "solution1"),
            new("piqa", "solution2", "solution2"),
        ]);
        // boolq 2/3, piqa 2/4 (a missing answer is wrong); average (2/3 + 1/2) / 2 = 7/12, not 4/7 overall.
        Assert.Equal(["boolq", "piqa"], scores.PerTask.Select(p => p.Key));
        Assert.Equal(2.0 / 3.0, scores.PerTask[0].Value, 15);
        Assert.Equal(0.5, scores.PerTask[1].Value, 15);
        Assert.Equal(7.0 / 12.0, scores.Average, 15);
    }

    [Fact]
    public void Answers_must_match_exactly()
    {
        var scores = CommonsenseMetrics.Compute([new("arc_easy", "Answer1", "answer1"), new("arc_easy", "answer1 ", "answer1")]);
        Assert.Equal(0.0, scores.Average);
    }

    [Fact]
    public void No_results_or_a_missing_gold_answer_is_rejected()
    {
        Assert.ThrowsAny<PeftSharpException>(() => CommonsenseMetrics.Compute([]));
        var error = Assert.ThrowsAny<PeftSharpException>(() => CommonsenseMetrics.Compute([new("boolq", "true", "true"), new("boolq", "true", null!)]));
        Assert.Contains("result 1", error.Message);
    }
}
