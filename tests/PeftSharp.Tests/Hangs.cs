namespace PeftSharp.Tests;

/// <summary>A time bound for property tests, so that a hang fails its test instead of stalling the whole run.</summary>
internal static class Hangs
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    /// <summary>Runs the property on its own thread; fails if it has not finished within <see cref="Limit"/>.</summary>
    public static void WithinLimit(Action property)
    {
        var run = Task.Factory.StartNew(property, TaskCreationOptions.LongRunning);
        Assert.True(run.Wait(Limit), $"the property did not finish within {Limit} (a hang?)");
    }
}
