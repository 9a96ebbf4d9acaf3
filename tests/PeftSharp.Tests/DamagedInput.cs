namespace PeftSharp.Tests;

/// <summary>
/// The outcome every reader must give damaged input: a successful read or a <see cref="PeftSharpException"/> with a
/// message (never another exception), and no allocation out of proportion to the input. The work a read does is counted
/// in bytes, not seconds, so a corrupt count that makes a reader allocate gigabytes fails whatever the machine's load.
/// </summary>
internal static class DamagedInput
{
    /// <summary>Managed bytes one read of a few-kB input may allocate (the readers take under 100 kB for them).</summary>
    public const long AllocationBudget = 16 << 20;

    /// <summary>
    /// Runs <paramref name="read"/> on this thread: true when it succeeded, false when it threw <see cref="PeftSharpException"/>
    /// (whose message must name <paramref name="source"/>, if given); any other exception, or more than
    /// <see cref="AllocationBudget"/> bytes allocated, fails the test.
    /// </summary>
    public static bool ReadsOrRejects(long inputLength, Action read, string? source = null)
    {
        bool succeeded = true;
        WithinAllocationBudget(inputLength, () =>
        {
            try
            {
                read();
            }
            catch (PeftSharpException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                if (source is not null) Assert.Contains(source, e.Message);
                succeeded = false;
            }
        });
        return succeeded;
    }

    /// <summary>Runs <paramref name="read"/> on this thread and fails the test when it allocated more than <see cref="AllocationBudget"/> bytes.</summary>
    public static void WithinAllocationBudget(long inputLength, Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        read();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationBudget, $"a read of {inputLength} bytes allocated {allocated} bytes");
    }
}
