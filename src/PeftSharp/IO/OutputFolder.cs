using System.Globalization;
using System.Text.RegularExpressions;

namespace PeftSharp.IO;

/// <summary>
/// The folder a command writes its results into, held for the command's lifetime. Claiming it
/// <list type="bullet">
/// <item>refuses a path that is a file, or that is, lies inside or contains one of the command's inputs (compared by
/// <see cref="FileIdentity"/>, so a trailing slash, <c>..</c> or a symbolic link does not get past it);</item>
/// <item>refuses a folder that already holds files unless the caller accepts them (an overwrite the user asked for,
/// or the resume of the run they belong to);</item>
/// <item>takes an exclusive lock on it (<see cref="LockFileName"/> held open with <see cref="FileShare.None"/>: flock on
/// Unix, a share lock on Windows; the operating system releases it when the process ends, even on SIGKILL) and writes
/// the holder's process id to <see cref="OwnerFileName"/>, so a second command into the same folder is refused with
/// that id;</item>
/// <item>deletes the temporary files of <see cref="AtomicFile"/> that a killed earlier command left behind (nobody else
/// writes here while the lock is held).</item>
/// </list>
/// Disposing releases the lock; a folder the claim created is removed again when nothing was written into it, so a
/// failed command leaves no empty folder behind.
/// </summary>
public sealed partial class OutputFolder : IDisposable
{
    public const string LockFileName = ".peft-lock";
    public const string OwnerFileName = ".peft-lock.owner";
    private const int WouldBlockErrno = 11, SharingViolationWindows = unchecked((int)0x80070020);

    private readonly FileStream lockFile;
    private readonly IReadOnlyList<string> created; // folders this claim created, innermost first
    private bool disposed;

    private OutputFolder(string path, FileStream lockFile, IReadOnlyList<string> created) => (Path, this.lockFile, this.created) = (path, lockFile, created);

    /// <summary>The folder, as given.</summary>
    public string Path { get; }

    /// <summary>
    /// Claims <paramref name="path"/> (created when missing). <paramref name="option"/> is the library name of the
    /// setting that chose it (for messages); <paramref name="inputs"/> are the command's inputs as (what, path), e.g.
    /// ("the model", "/m"). With <paramref name="acceptExisting"/> false a folder holding files is refused; the
    /// refusal offers <c>Overwrite</c>, and <c>ResumeFrom</c> too when <paramref name="resumable"/>.
    /// </summary>
    public static OutputFolder Claim(string path, string option, IEnumerable<(string What, string? Path)> inputs, bool acceptExisting = false, bool resumable = false)
    {
        if (File.Exists(path)) throw new InvalidOptionException(option, path, "is a file; give a folder");
        RefuseOverlap(path, option, inputs);
        var created = Create(path, option);
        var lockFile = Lock(path, option);
        var folder = new OutputFolder(path, lockFile, created);
        try
        {
            AtomicFile.WriteAllText(System.IO.Path.Combine(path, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            folder.DeleteStaleTemporaries();
            var contents = folder.Contents();
            if (!acceptExisting && contents.Count > 0)
                throw new InvalidOptionException(option, path,
                    $"already holds {Describe(contents)}; use an empty folder{(resumable ? ", resume the run it holds" : "")} or overwrite it")
                {
                    Remedies = resumable ? ["ResumeFrom", "Overwrite"] : ["Overwrite"],
                };
            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses an output (file or folder, existing or not) that is, lies inside or contains one of
    /// <paramref name="inputs"/>: writing must never touch what a command reads. Every command that writes checks this
    /// (also through <see cref="Claim"/>).
    /// </summary>
    public static void RefuseOverlap(string output, string option, IEnumerable<(string What, string? Path)> inputs)
    {
        var outputChain = FileIdentity.SelfAndAncestors(output);
        var outputSelf = FileIdentity.Of(output);
        foreach (var (what, input) in inputs)
        {
            if (input is null || FileIdentity.Of(input) is not { } inputSelf) continue;
            if (outputSelf == inputSelf) throw new InvalidOptionException(option, output, $"is {what} ({input}); write the output elsewhere");
            if (outputChain.Contains(inputSelf)) throw new InvalidOptionException(option, output, $"lies inside {what} ({input}); write the output elsewhere");
            if (outputSelf is { } self && FileIdentity.SelfAndAncestors(input).Contains(self))
                throw new InvalidOptionException(option, output, $"contains {what} ({input}); write the output elsewhere");
        }
    }

    /// <summary>The names in the folder besides the lock files, sorted.</summary>
    public IReadOnlyList<string> Contents() =>
        Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>()
            .Where(name => name is not (LockFileName or OwnerFileName)).Order(StringComparer.Ordinal).ToList();

    private static string Describe(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(4)) + (names.Count > 4 ? $" and {names.Count - 4} more" : "");

    /// <summary>Creates the folder and its missing parents; returns those it created, innermost first.</summary>
    private static IReadOnlyList<string> Create(string path, string option)
    {
        var missing = new List<string>();
        for (var dir = System.IO.Path.GetFullPath(path); dir is not null && !Directory.Exists(dir); dir = System.IO.Path.GetDirectoryName(dir)) missing.Add(dir);
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (WriteFailure.IsWriteError(e))
        {
            throw new InvalidOptionException(option, path, $"cannot write: {WriteFailure.Reason(e)}");
        }
        return missing;
    }

    private static FileStream Lock(string path, string option)
    {
        var lockPath = System.IO.Path.Combine(path, LockFileName);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult is WouldBlockErrno or SharingViolationWindows)
        {
            throw new InvalidOptionException(option, path,
                $"is in use by another PeftSharp command ({Holder(path)}); wait until it has finished or write elsewhere");
        }
        catch (Exception e) when (WriteFailure.IsWriteError(e))
        {
            throw new InvalidOptionException(option, path, $"cannot write: {WriteFailure.Reason(e)}");
        }
    }

    private static string Holder(string path)
    {
        try
        {
            var text = File.ReadAllText(System.IO.Path.Combine(path, OwnerFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $"process {pid}" : "process id unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "process id unknown";
        }
    }

    // AtomicFile's temporaries: .<name>.<pid>.<32 hex digits>.tmp
    [GeneratedRegex(@"^\..+\.\d+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex AtomicTemporary();

    private void DeleteStaleTemporaries()
    {
        foreach (var file in Directory.EnumerateFiles(Path).Where(f => AtomicTemporary().IsMatch(System.IO.Path.GetFileName(f))))
            File.Delete(file);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        bool removeFolder = created.Count > 0 && Directory.Exists(Path) && Contents().Count == 0;
        if (removeFolder) DeleteLockFiles(); // while still locked (Unix allows it), so no other command can have started here meanwhile
        lockFile.Dispose();
        if (!removeFolder) return;
        DeleteLockFiles(); // Windows: only once closed
        foreach (var dir in created)
        {
            try { Directory.Delete(dir); } // only an empty folder is deleted
            catch (IOException) { return; }
        }
    }

    private void DeleteLockFiles()
    {
        foreach (var name in new[] { OwnerFileName, LockFileName })
        {
            try { File.Delete(System.IO.Path.Combine(Path, name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
