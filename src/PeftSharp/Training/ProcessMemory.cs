namespace PeftSharp.Training;

/// <summary>Resident memory of this process (native libtorch allocations included, unlike GC counters).</summary>
public static class ProcessMemory
{
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return Environment.WorkingSet;
    }
}
