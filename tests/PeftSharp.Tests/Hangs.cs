namespace PeftSharp.Tests;

/// <summary>
/// A hang guard for long property tests: a hang fails its test instead of stalling the whole run, and a slow or busy
/// machine never does. The property reports each finished iteration; the test fails only when none finishes for
/// <see cref="Limit"/>, however long the whole property takes.
/// </summary>
internal static class Hangs
{
    /// <summary>Far beyond what one iteration takes on any machine, however loaded: only a hang reaches it.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Runs <paramref name="property"/> on its own thread, handing it the callback to call after each iteration.</summary>
    public static void WithinLimit(Action<Action> property)
    {
        long finished = 0;
        var run = Task.Factory.StartNew(() => property(() => Interlocked.Increment(ref finished)), TaskCreationOptions.LongRunning);
        long seen = 0;
        while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(Limit))
        {
            long now = Interlocked.Read(ref finished);
            Assert.True(now > seen, $"no iteration finished for {Limit} after {now} iterations: a hang");
            seen = now;
        }
        run.GetAwaiter().GetResult(); // the property's own failure, as thrown
    }
}
