using System.Diagnostics;

namespace PeftSharp.Bench;

/// <summary>Timing and memory measurements: median of repetitions after warm-up; peak resident memory via /proc.</summary>
internal static class Measure
{
    public static double MedianMilliseconds(Action action, int warmup = 2, int repetitions = 5) =>
        MedianMilliseconds([action], warmup, repetitions)[0];

    /// <summary>
    /// Medians of several actions timed in turn (a, b, c, a, b, c, …), so that a drift of the machine's speed
    /// affects each alike: use it for ratios.
    /// </summary>
    public static double[] MedianMilliseconds(IReadOnlyList<Action> actions, int warmup, int repetitions)
    {
        for (int i = 0; i < warmup; i++) foreach (var action in actions) action();
        var times = actions.Select(_ => new double[repetitions]).ToArray();
        for (int i = 0; i < repetitions; i++)
            for (int a = 0; a < actions.Count; a++)
            {
                var clock = Stopwatch.StartNew();
                actions[a]();
                times[a][i] = clock.Elapsed.TotalMilliseconds;
            }
        return times.Select(Median).ToArray();
    }

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Resets the kernel's peak-RSS counter (VmHWM) to the current RSS (Linux ≥ 4.0).</summary>
    public static void ResetPeakResident()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static long PeakResidentBytes() => StatusField("VmHWM:");
    public static long ResidentBytes() => PeftSharp.Training.ProcessMemory.ResidentBytes();

    /// <summary>See <see cref="PeftSharp.Training.ProcessMemory.ReleaseFreeMemory"/>.</summary>
    public static void ReleaseFreeMemory() => PeftSharp.Training.ProcessMemory.ReleaseFreeMemory();

    private static long StatusField(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(name, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>The kernel's 1-, 5- and 15-minute load averages: how busy the machine was while measuring.</summary>
    public static string LoadAverage() => string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string Machine()
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        long memKb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return $"{Environment.ProcessorCount} × {cpu}, {memKb / 1024 / 1024} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, {TorchSharp.torch.get_num_threads()} torch threads";
    }
}
