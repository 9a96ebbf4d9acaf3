namespace PeftSharp.IO;

/// <summary>
/// Writes files so that a crash at any moment leaves either the previous complete file or the new
/// complete file, never a torn one: write to a temporary sibling, flush to disk, rename over. A refusal of the
/// operating system (disk full, read-only folder) is a <see cref="PeftSharpException"/> naming the file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Test hook: called after the temporary file is written, before the rename.</summary>
    internal static Action<string>? BeforeCommit { get; set; }

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            BeforeCommit?.Invoke(full);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (WriteFailure.IsWriteError(e))
        {
            throw WriteFailure.For(full, e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
