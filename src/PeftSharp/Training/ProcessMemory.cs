using System.Runtime.InteropServices;

namespace PeftSharp.Training;

/// <summary>Resident memory of this process (native libtorch allocations included, unlike GC counters).</summary>
internal static partial class ProcessMemory
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

    /// <summary>
    /// Collects garbage and returns the C heap's free pages to the kernel (glibc malloc_trim; libtorch's CPU allocator is
    /// malloc), so that a resident-memory baseline taken next does not depend on what earlier work left cached — e.g. the
    /// previous run of a comparison, whose freed tensors would otherwise make the next run look free.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (OperatingSystem.IsLinux())
        {
            try { MallocTrim(0); } catch (DllNotFoundException) { } catch (EntryPointNotFoundException) { }
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
