using System.Runtime.InteropServices;

namespace PeftSharp.Cli;

/// <summary>
/// Makes Ctrl-C (SIGINT) reach peft however it was started. A shell without job control starts background jobs with
/// SIGINT ignored, and .NET keeps an inherited "ignore": `kill -INT` would then neither stop a training run nor make it
/// write its checkpoint. peft always wants the interrupt, so it puts back the default handling first.
/// </summary>
internal static class InterruptSignal
{
    private const int SigInt = 2; // the same number on Linux and macOS
    private static readonly IntPtr DefaultHandling = IntPtr.Zero; // SIG_DFL

    /// <summary>Must run before anything uses Console or Process: .NET decides once, at that point, whether it handles SIGINT.</summary>
    public static void RestoreDefaultHandling()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = Signal(SigInt, DefaultHandling);
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);
}
