using System.Globalization;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Output;

/// <summary>Warnings, errors and result summaries on the console.</summary>
internal static class ConsoleOutput
{
    public static void Warn(string message) => Console.Error.WriteLine($"warning: {message}");

    /// <summary>One clear line, no stack trace: bad input is the user's to fix, not a crash.</summary>
    public static void Error(string message) => Console.Error.WriteLine($"error: {message}");

    /// <summary>JSON for people and scripts: indented, with ', Δ and other non-ASCII text as it is (not \u escapes).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "F1" : "F4", CultureInfo.InvariantCulture);

    public static void Summary(TrainRunResult result)
    {
        var train = result.Train;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Method}: {train.Steps} steps in {train.TrainTime.TotalSeconds:F1} s, loss of the last step {train.LastLoss:F4}, trainable {result.TrainableParameters:N0} of {result.AllParameters:N0} ({result.TrainablePercent:F4}%), peak RSS {train.PeakResidentBytes / 1048576} MB"));
        if (result.EvalMetrics is { } eval) Console.WriteLine($"dev ({result.EvalExamples:N0} examples): {Metrics(eval)}");
        if (result.TestMetrics is { } test) Console.WriteLine($"test ({result.TestExamples:N0} examples): {Metrics(test)}");
        Console.WriteLine(train.Interrupted
            ? $"interrupted; resume with --resume {result.OutputDirectory}"
            : $"saved to {result.OutputDirectory}");
    }

    public static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {Format(m.Value)}"));
}
