using System.Text.Json;

namespace PeftSharp.Tests.Evaluation.Metrics;

/// Loads the JSON fixtures written by tools/golden/metrics/make_metric_fixtures.py.
internal static class MetricFixtures
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "metrics", name);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    public static string[] Strings(this JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    /// Asserts |actual − expected| ≤ tolerance·max(1, |expected|), naming the case on failure.
    public static void AssertClose(double expected, double actual, string what, double tolerance = 1e-12)
    {
        double allowed = tolerance * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= allowed, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
