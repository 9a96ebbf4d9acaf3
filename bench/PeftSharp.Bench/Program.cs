using System.Globalization;
using System.Text;
using PeftSharp.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var what = args.Length > 0 ? args[0] : "all";
var report = new StringBuilder();
report.AppendLine("# PeftSharp benchmarks").AppendLine();
report.AppendLine($"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.AppendLine($"- Machine: {Measure.Machine()}");
report.AppendLine($"- Command: `bench/run {string.Join(' ', args)}`".TrimEnd());
report.AppendLine("- Every time is the median of the stated repetitions after warm-up; ratios come from the same run.").AppendLine();

if (what is "all" or "allocator")
{
    var results = AllocatorBenchmark.Run();
    report.AppendLine("## Rank allocator update: AdaLoRA vs LoRA² (issue 3)").AppendLine();
    report.AppendLine("GPT-2-small projections (12 blocks × c_attn, attn.c_proj, c_fc, mlp.c_proj = 48 layers), init r = 12, LoRA² K = 8; one `RankAllocator.Step` (sensitivity, EMAs, importance, masking), median of 21 after 3 warm-up.").AppendLine();
    report.AppendLine("| method | update (ms) | scored parameters | adapter parameters | scored % |");
    report.AppendLine("|---|---:|---:|---:|---:|");
    foreach (var r in results)
        report.AppendLine($"| {r.Method} | {r.UpdateMilliseconds:F2} | {r.ScoredParameters:N0} | {r.AdapterParameters:N0} | {100.0 * r.ScoredParameters / r.AdapterParameters:F2} |");
    var (ada, lora2) = (results[0], results[1]);
    report.AppendLine().AppendLine($"LoRA² / AdaLoRA: update time {lora2.UpdateMilliseconds / ada.UpdateMilliseconds:F3}×, scored parameters {(double)lora2.ScoredParameters / ada.ScoredParameters:F4}×.").AppendLine();
}

var text = report.ToString();
Console.WriteLine(text);
if (what == "all")
{
    var path = Path.Combine(Directory.GetCurrentDirectory(), "RESULTS.md"); // bench/run runs in bench/
    File.WriteAllText(path, text);
    Console.Error.WriteLine($"wrote {path}");
}
