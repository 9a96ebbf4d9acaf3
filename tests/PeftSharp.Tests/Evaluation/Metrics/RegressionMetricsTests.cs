using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class RegressionMetricsTests
{
    [Fact]
    public void Pearson_of_a_hand_computed_case()
    {
        // x̄ = ȳ = 3; dx = (−2,−1,0,1,2), dy = (−1,−2,1,0,2); Σdx·dy = 2+2+0+0+4 = 8, Σdx² = Σdy² = 10 → 0.8
        Assert.Equal(0.8, RegressionMetrics.Pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 14);
    }

    [Fact]
    public void Spearman_gives_tied_values_their_average_rank()
    {
        Assert.Equal([1.0, 2.5, 2.5, 4.0], RegressionMetrics.AverageRanks([10, 20, 20, 30]));
        // x = [1,2,2,3] → ranks (1,2.5,2.5,4); y = [1,3,2,4] → ranks (1,3,2,4); both means 2.5:
        // dx = (−1.5,0,0,1.5), dy = (−1.5,0.5,−0.5,1.5); Σdx·dy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5 / sqrt(22.5)
        Assert.Equal(4.5 / Math.Sqrt(22.5), RegressionMetrics.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), 14);
    }

    [Fact]
    public void Correlations_match_scipy_on_the_fixture_cases()
    {
        foreach (var c in MetricFixtures.Load("classification.json").GetProperty("regression").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            double[] x = c.GetProperty("x").Doubles(), y = c.GetProperty("y").Doubles();
            MetricFixtures.AssertClose(c.GetProperty("pearson").GetDouble(), RegressionMetrics.Pearson(x, y), name + " pearson", 1e-12);
            MetricFixtures.AssertClose(c.GetProperty("spearman").GetDouble(), RegressionMetrics.Spearman(x, y), name + " spearman", 1e-12);
        }
    }

    [Fact]
    public void A_constant_side_gives_0_instead_of_NaN()
    {
        Assert.Equal(0.0, RegressionMetrics.Pearson([0.1, 0.1, 0.1], [1, 2, 3]));
        Assert.Equal(0.0, RegressionMetrics.Spearman([1, 2, 3], [4, 4, 4]));
    }

    [Fact]
    public void NaN_fewer_than_two_pairs_and_mismatched_lengths_are_rejected()
    {
        var nan = Assert.ThrowsAny<PeftSharpException>(() => RegressionMetrics.Pearson([1, double.NaN, 3], [1, 2, 3]));
        Assert.Contains("'x'[1]", nan.Message);
        Assert.ThrowsAny<PeftSharpException>(() => RegressionMetrics.Spearman([1], [1]));
        Assert.ThrowsAny<PeftSharpException>(() => RegressionMetrics.Pearson([1, 2, 3], [1, 2]));
    }
}
