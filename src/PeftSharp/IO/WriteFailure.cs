namespace PeftSharp.IO;

/// <summary>
/// Turns an operating-system refusal to write (disk full, read-only or foreign folder, a path through a file) into one
/// line naming the path and what to do: these are conditions of the machine, not bugs.
/// </summary>
internal static class WriteFailure
{
    private const int NoSpaceErrno = 28, ReadOnlyErrno = 30; // Linux and macOS errno values, which .NET reports as HResult on Unix
    private const int DiskFullWindows = unchecked((int)0x80070070), HandleDiskFullWindows = unchecked((int)0x80070027);

    public static bool IsWriteError(Exception e) => e is IOException or UnauthorizedAccessException && e is not PeftSharpException;

    public static PeftSharpException For(string path, Exception e) => new($"{path}: cannot write: {Reason(e)}", e);

    /// <summary>What went wrong and what to do, without the path.</summary>
    public static string Reason(Exception e) => e switch
    {
        IOException { HResult: NoSpaceErrno or DiskFullWindows or HandleDiskFullWindows } => "the disk is full; free some space or write elsewhere",
        IOException { HResult: ReadOnlyErrno } => "the file system is read-only; write to another folder",
        UnauthorizedAccessException => "permission denied; write to a folder you may write to",
        DirectoryNotFoundException => "a part of the path is missing or is a file, not a folder",
        _ => OsText(e),
    };

    /// <summary>The operating system's text without the path .NET appends (" : '/path'").</summary>
    private static string OsText(Exception e)
    {
        int at = e.Message.LastIndexOf(" : '", StringComparison.Ordinal);
        return at > 0 ? e.Message[..at] : e.Message;
    }
}
