using System.Runtime.CompilerServices;

namespace PeftSharp.Tests;

/// <summary>
/// Every temporary file of a test run, and of the CLI processes the tests start, goes into one folder of the run
/// (<c>peftsharp-tests-*</c> in the system's temporary folder): the tests make thousands of temporary folders, and a CI
/// machine that is not wiped between runs would otherwise fill its disk. Pointing TMPDIR at the folder covers
/// <see cref="Path.GetTempPath"/> and <see cref="Directory.CreateTempSubdirectory"/> (which read it on every call on
/// Unix) and the child processes, which inherit it.
/// </summary>
/// <remarks>
/// The test host is stopped from outside when a run ends, so a run cannot clean up after itself; instead it holds a lock
/// on a file in its folder while it lives, and each run deletes the folders of earlier runs whose lock is free (their
/// process has ended, however it ended). A folder without a lock file is never touched. The last run's folder stays for a
/// look until the next run.
/// </remarks>
internal static class TestTempFolder
{
    private const string Prefix = "peftsharp-tests-";
    private const string LockName = ".run.lock";

    /// <summary>Held open, exclusively, for the life of the test process.</summary>
    private static FileStream? runLock;

    [ModuleInitializer]
    internal static void RedirectTemporaryFiles()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // Windows reads TMP/TEMP; not redirected there
        DeleteEndedRuns(Path.GetTempPath());
        var folder = Directory.CreateTempSubdirectory(Prefix).FullName;
        runLock = new FileStream(Path.Combine(folder, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        Environment.SetEnvironmentVariable("TMPDIR", folder);
    }

    private static void DeleteEndedRuns(string temp)
    {
        foreach (var folder in Directory.EnumerateDirectories(temp, Prefix + "*"))
        {
            try
            {
                // .NET takes an advisory lock (flock) for FileShare.None on Unix: this fails while the run's process lives.
                using var ended = new FileStream(Path.Combine(folder, LockName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A live run, a folder without a lock file, or one that cannot be deleted: left alone.
            }
        }
    }
}
