using System.IO.MemoryMappedFiles;

namespace PeftSharp.IO;

/// <summary>
/// A weights file mapped read-only through the same handle its header was read and validated from, so a file swapped in
/// between cannot be read; tensors are copied out of the mapping one at a time, so a model is never held twice.
/// </summary>
internal sealed class MappedFile : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;

    private MappedFile(FileStream stream, long length)
    {
        map = MemoryMappedFile.CreateFromFile(stream, mapName: null, length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/>, reads its header with <paramref name="readHeader"/> (given the stream and the file's
    /// length), maps the file and makes the file object with <paramref name="create"/>. A missing or unreadable file is a
    /// <see cref="PeftSharpException"/> naming it; the mapping is released whatever fails.
    /// </summary>
    public static TFile Open<THeader, TFile>(string path, Func<FileStream, long, THeader> readHeader, Func<THeader, MappedFile, TFile> create)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: file not found");
        FileStream? stream = null;
        MappedFile? mapped = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
            var header = readHeader(stream, stream.Length); // refuses an empty file, which cannot be mapped
            mapped = new MappedFile(stream, stream.Length);
            stream = null; // owned by the map now
            return create(header, mapped);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            mapped?.Dispose();
            throw new PeftSharpException($"{path}: cannot read: {e.Message}", e);
        }
        catch
        {
            mapped?.Dispose();
            throw;
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <summary>Calls <paramref name="read"/> with the address of byte <paramref name="offset"/> of the file, valid only during the call.</summary>
    public unsafe void Read(long offset, Action<IntPtr> read)
    {
        byte* basePointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
        try
        {
            read((IntPtr)(basePointer + view.PointerOffset + offset));
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
