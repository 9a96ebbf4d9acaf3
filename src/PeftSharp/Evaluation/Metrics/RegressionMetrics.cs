namespace PeftSharp.Evaluation.Metrics;

/// <summary>
/// Correlation metrics for STS-B, with the definitions of <c>scipy.stats.pearsonr</c> and
/// <c>spearmanr</c>. When one side is constant the correlation is undefined (scipy returns NaN);
/// these functions return 0 instead so that a degenerate model scores 0 and not NaN.
/// </summary>
public static class RegressionMetrics
{
    /// <summary>Pearson's r: Σ(x−x̄)(y−ȳ) / sqrt(Σ(x−x̄)² · Σ(y−ȳ)²); 0 when x or y is constant.</summary>
    /// <exception cref="PeftSharpException">Null or differently sized lists, fewer than two pairs, or a NaN/infinite value.</exception>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(nameof(Pearson), x, y);
        return PearsonOfChecked(x, y);
    }

    /// <summary>Spearman's ρ: Pearson's r of the ranks, tied values sharing their average rank; 0 when x or y is constant.</summary>
    /// <exception cref="PeftSharpException">Null or differently sized lists, fewer than two pairs, or a NaN/infinite value.</exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(nameof(Spearman), x, y);
        return PearsonOfChecked(AverageRanks(x), AverageRanks(y));
    }

    /// Ranks 1..n; a group of equal values gets the mean of the ranks it spans
    /// (e.g. [10, 20, 20, 30] → [1, 2.5, 2.5, 4]), like scipy's rankdata(method='average').
    internal static double[] AverageRanks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            double averageRank = (start + 1 + end) / 2.0; // mean of start+1 .. end
            for (int k = start; k < end; k++) ranks[order[k]] = averageRank;
            start = end;
        }
        return ranks;
    }

    private static void Check(string metric, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        MetricInput.CheckPaired(metric, x, nameof(x), y, nameof(y), minimumCount: 2);
        MetricInput.CheckFinite(metric, x, nameof(x));
        MetricInput.CheckFinite(metric, y, nameof(y));
    }

    private static double PearsonOfChecked(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        double meanX = 0, meanY = 0;
        for (int i = 0; i < n; i++) { meanX += x[i]; meanY += y[i]; }
        meanX /= n;
        meanY /= n;
        double sumXY = 0, sumXX = 0, sumYY = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            sumXY += dx * dy;
            sumXX += dx * dx;
            sumYY += dy * dy;
        }
        if (IsConstant(x) || IsConstant(y) || sumXX == 0 || sumYY == 0) return 0.0;
        double r = sumXY / Math.Sqrt(sumXX * sumYY);
        return Math.Clamp(r, -1.0, 1.0); // rounding can push |r| a hair above 1
    }

    // Tested by equality, not by a zero variance: the mean of [0.1, 0.1, 0.1] is not exactly 0.1.
    private static bool IsConstant(IReadOnlyList<double> values)
    {
        for (int i = 1; i < values.Count; i++)
            if (values[i] != values[0]) return false;
        return true;
    }
}
