using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PeftSharp.Tests.Workflows;

/// <summary>
/// The CLI as a child process (optionally started through a wrapper command such as <c>sh -c …</c>), followed by the
/// lines it writes to stderr: a test waits for a line that shows an event, never for time to pass.
/// </summary>
internal sealed class PeftProcess : IDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "peft.dll");
    private readonly BlockingCollection<string> lines = new();
    private readonly System.Text.StringBuilder output = new(), error = new();

    private PeftProcess(IReadOnlyList<string> wrapper, IReadOnlyList<string> args)
    {
        string[] command = [.. wrapper, "dotnet", Cli, .. args];
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command[1..]) info.ArgumentList.Add(a);
        Process = new Process { StartInfo = info };
        Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { lines.CompleteAdding(); return; }
            lock (error) error.AppendLine(e.Data);
            lines.Add(e.Data);
        };
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public static PeftProcess Start(params string[] args) => new([], args);

    /// <summary>Runs the CLI through <paramref name="wrapper"/>, which must end by executing the rest of its arguments.</summary>
    public static PeftProcess StartWrapped(IReadOnlyList<string> wrapper, params string[] args) => new(wrapper, args);

    /// <summary>Runs to the end; returns the exit code and stderr.</summary>
    public static (int Code, string Error) Run(params string[] args)
    {
        using var child = Start(args);
        return (child.WaitForExit(), child.Error);
    }

    /// <summary>stderr so far (all of it once <see cref="WaitForExit"/> returned).</summary>
    public string Error { get { lock (error) return error.ToString(); } }

    /// <summary>stdout so far (all of it once <see cref="WaitForExit"/> returned).</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>
    /// Blocks until a stderr line matches <paramref name="pattern"/>; fails when stderr ends first, or when no matching
    /// line came within <see cref="Hangs.Limit"/> (a hang guard only, never reached by a healthy run however busy the
    /// machine; it is a limit on the whole wait because an endless run keeps writing lines that do not match).
    /// </summary>
    public Match WaitForLine(string pattern)
    {
        var regex = new Regex(pattern);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var left = Hangs.Limit - waited.Elapsed;
            string? line = null;
            if (left <= TimeSpan.Zero || !lines.TryTake(out line, left))
                Assert.Fail(lines.IsCompleted ? $"stderr ended without a line matching '{pattern}':\n{Tail(Error)}" : $"no line matching '{pattern}' within {Hangs.Limit} (a hang?):\n{Tail(Error)}");
            if (regex.Match(line!) is { Success: true } match) return match;
        }
    }

    /// <summary>The last lines of a long output, enough to see what the run was doing.</summary>
    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

    /// <summary>
    /// Blocks until training has logged step <paramref name="step"/> (a line "label: step/total mean loss …", which comes
    /// after every checkpoint before it is in place).
    /// </summary>
    public void WaitForStep(long step) => WaitForLine($@": {step:N0}/[\d,]+ mean loss ");

    public int WaitForExit()
    {
        Assert.True(Process.WaitForExit(Hangs.Limit), $"no exit within {Hangs.Limit} (a hang?):\n{Error}");
        Process.WaitForExit(); // drains the output readers
        return Process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void KillHard()
    {
        Process.Kill(entireProcessTree: true);
        WaitForExit();
    }

    /// <summary>Sends a POSIX signal (as Ctrl-C, kill or a container runtime would).</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(Process.Id, signal));

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
