using System.Diagnostics;

namespace PeftSharp.Bench;

/// <summary>Timing and memory measurements: median of repetitions after warm-up; peak resident memory via /proc.</summary>
internal static class Measure
{
    public static double MedianMilliseconds(Action action, int warmup = 2, int repetitions = 5)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repetitions / 2];
    }

    /// <summary>Resets the kernel's peak-RSS counter (VmHWM) to the current RSS (Linux ≥ 4.0).</summary>
    public static void ResetPeakResident()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static long PeakResidentBytes() => StatusField("VmHWM:");
    public static long ResidentBytes() => StatusField("VmRSS:");

    static long StatusField(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(name, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    public static string Machine()
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        long memKb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return $"{Environment.ProcessorCount} × {cpu}, {memKb / 1024 / 1024} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, {TorchSharp.torch.get_num_threads()} torch threads";
    }
}
