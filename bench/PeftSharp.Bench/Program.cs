using System.Globalization;
using System.Text;
using PeftSharp.Bench;

// Usage: bench/run [--smoke] [--scale=LxHxT] [--precision-methods=lora,full,…] [section ...]; no section = all, which also writes bench/RESULTS.md (never in a
// smoke run). "quality" (the demo task in float32 and bfloat16, an hour or more) and "scale" (a LLaMA-7B-shaped model,
// 15 GB) run only when named.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var sections = new (string Name, Func<BenchSettings, string> Report)[]
{
    ("allocator", AllocatorReport),
    ("step", StepBenchmark.Report),
    ("overhead", BareStep.Report),
    ("gemm", GemmLimit.Report),
    ("memory", MemoryStability.Report),
    ("inference", InferenceBenchmark.Report),
    ("load", LoadBenchmark.Report),
    ("tokenizers", TokenizerBenchmark.Report),
    ("precision", PrecisionBenchmark.Report),
    ("checkpointing", CheckpointBenchmark.Report),
    ("quality", PrecisionQuality.Report),
    ("scale", ScaleBenchmark.Report),
};
string[] onlyWhenNamed = ["quality", "scale"];

bool smoke = args.Contains("--smoke") || Environment.GetEnvironmentVariable("PEFTSHARP_BENCH_SMOKE") == "1";
var requested = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
bool all = requested.Count == 0 || requested.Contains("all");
var unknown = requested.Where(r => r != "all" && sections.All(s => s.Name != r)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown section(s): {string.Join(", ", unknown)}; choose from all, {string.Join(", ", sections.Select(s => s.Name))} (and --smoke)");
    return 2;
}
var settings = smoke ? BenchSettings.Smoke : BenchSettings.Full;
if (args.FirstOrDefault(a => a.StartsWith("--scale=", StringComparison.Ordinal)) is { } scale)
{
    var parts = scale["--scale=".Length..].Split('x').Select(int.Parse).ToArray();
    settings = settings with { ScaleLayers = parts[0], ScaleHidden = parts[1], ScaleTokens = parts[2] };
}

if (args.FirstOrDefault(a => a.StartsWith("--precision-methods=", StringComparison.Ordinal)) is { } precisionMethods)
{
    settings = settings with { PrecisionMethods = precisionMethods["--precision-methods=".Length..].Split(',').ToHashSet(StringComparer.Ordinal) };
}

var report = new StringBuilder();
report.AppendLine("# PeftSharp benchmarks").AppendLine();
if (smoke) report.AppendLine("**Smoke run: tiny shapes, one repetition. These numbers mean nothing.**").AppendLine();
report.AppendLine($"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.AppendLine($"- Machine: {Measure.Machine()}");
report.AppendLine($"- Command: `bench/run {string.Join(' ', args)}`".TrimEnd());
report.AppendLine($"- Load average (1, 5, 15 min) at the start: {Measure.LoadAverage()}");
report.AppendLine("- Every time is the median of the stated repetitions after warm-up; ratios come from the same run. MB = 2²⁰ bytes.").AppendLine();

var clock = System.Diagnostics.Stopwatch.StartNew();
foreach (var (name, run) in sections)
{
    if (all ? onlyWhenNamed.Contains(name) : !requested.Contains(name)) continue;
    Progress.Log($"section {name}");
    report.Append(run(settings));
}
Progress.Log($"done in {clock.Elapsed:hh\\:mm\\:ss}");
report.AppendLine($"- Load average at the end: {Measure.LoadAverage()}; {clock.Elapsed:hh\\:mm\\:ss} in all.");

var text = report.ToString();
Console.WriteLine(text);
if (all && !smoke)
{
    var path = Path.Combine(Directory.GetCurrentDirectory(), "RESULTS.md"); // bench/run runs in bench/
    PeftSharp.IO.AtomicFile.WriteAllText(path, text);
    Console.Error.WriteLine($"wrote {path}");
}
return 0;

static string AllocatorReport(BenchSettings settings)
{
    var results = settings.IsSmoke ? AllocatorBenchmark.Run(warmup: 1, repetitions: 1) : AllocatorBenchmark.Run();
    var text = new StringBuilder();
    text.AppendLine("## Rank allocator update: AdaLoRA vs LoRA²").AppendLine();
    text.AppendLine("GPT-2-small projections (12 blocks × c_attn, attn.c_proj, c_fc, mlp.c_proj = 48 layers), init r = 12, LoRA² K = 8; one `RankAllocator.Step` (sensitivity, EMAs, importance, masking), median of 21 after 3 warm-up.").AppendLine();
    text.AppendLine("| method | update (ms) | scored parameters | adapter parameters | scored % |");
    text.AppendLine("|---|---:|---:|---:|---:|");
    foreach (var r in results)
        text.AppendLine($"| {r.Method} | {r.UpdateMilliseconds:F2} | {r.ScoredParameters:N0} | {r.AdapterParameters:N0} | {100.0 * r.ScoredParameters / r.AdapterParameters:F2} |");
    var (ada, lora2) = (results[0], results[1]);
    text.AppendLine().AppendLine($"LoRA² / AdaLoRA: update time {lora2.UpdateMilliseconds / ada.UpdateMilliseconds:F3}×, scored parameters {(double)lora2.ScoredParameters / ada.ScoredParameters:F4}×.").AppendLine();
    return text.ToString();
}
