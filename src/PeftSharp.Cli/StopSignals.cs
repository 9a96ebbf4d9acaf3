using System.Runtime.InteropServices;

namespace PeftSharp.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (what kill, timeout, systemd and container runtimes send) both ask the running command
/// to stop cleanly: training finishes its step and writes a checkpoint, then peft exits with 128 + the signal's number
/// (130 for SIGINT, 143 for SIGTERM). A second signal ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    /// <summary>The exit code of a command stopped by a signal: 128 + its number, as shells report a death by signal.</summary>
    public static int ExitCode { get; private set; } = 128 + 2;

    private readonly List<PosixSignalRegistration> registrations = [];
    private readonly CancellationTokenSource cancel;

    private StopSignals(CancellationTokenSource cancel) => this.cancel = cancel;

    /// <summary>Cancels <paramref name="cancel"/> on the first SIGINT or SIGTERM.</summary>
    public static StopSignals Install(CancellationTokenSource cancel)
    {
        var signals = new StopSignals(cancel);
        foreach (var (signal, number, name) in new[] { (PosixSignal.SIGINT, 2, "interrupt"), (PosixSignal.SIGTERM, 15, "terminate") })
        {
            try { signals.registrations.Add(PosixSignalRegistration.Create(signal, context => signals.Stop(context, number, name))); }
            catch (PlatformNotSupportedException) { } // a platform without this signal
        }
        return signals;
    }

    private void Stop(PosixSignalContext context, int number, string name)
    {
        if (cancel.IsCancellationRequested) return; // the second signal: its default action ends the process
        context.Cancel = true;
        ExitCode = 128 + number;
        Console.Error.WriteLine($"{name}: finishing the current step and writing a checkpoint (signal again to kill)");
        cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
    }
}
