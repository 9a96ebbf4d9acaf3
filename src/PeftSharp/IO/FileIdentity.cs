using System.Runtime.InteropServices;

namespace PeftSharp.IO;

/// <summary>
/// What a path names, independent of how it is spelled: a trailing slash, <c>..</c>, a symbolic link or (on Linux) a
/// bind mount leading to the same folder give the same identity. On Linux it is the (device, inode) pair from
/// <c>statx</c>; elsewhere the path with every symbolic link resolved, compared case-insensitively where the file
/// system usually is (Windows, macOS).
/// </summary>
internal readonly partial record struct FileIdentity(string Key)
{
    /// <summary>The identity of an existing file or folder, or null when <paramref name="path"/> does not exist.</summary>
    public static FileIdentity? Of(string path)
    {
        var real = RealPath(path);
        if (!File.Exists(real) && !Directory.Exists(real)) return null;
        if (OperatingSystem.IsLinux() && LinuxStat.DeviceAndInode(real) is { } id) return new($"{id.Device}:{id.Inode}");
        return new(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? real.ToUpperInvariant() : real);
    }

    /// <summary>The identities of <paramref name="path"/> (when it exists) and of each of its existing ancestors, innermost first.</summary>
    public static IReadOnlyList<FileIdentity> SelfAndAncestors(string path)
    {
        var result = new List<FileIdentity>();
        for (var current = RealPath(path); current is not null; current = Path.GetDirectoryName(current))
            if (Of(current) is { } id) result.Add(id);
        return result;
    }

    /// <summary>
    /// The absolute path with every symbolic link along it resolved (as realpath(3)); the part that does not exist yet is
    /// kept as written.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var resolved = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            resolved = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? RealPath(target.FullName)
                : next;
        }
        return resolved;
    }

    /// <summary>statx(2), whose buffer layout is the same on every Linux architecture (unlike struct stat).</summary>
    private static partial class LinuxStat
    {
        private const int AtCurrentDirectory = -100, StatxInode = 0x100, BufferSize = 256;
        private const int InodeOffset = 32, DeviceMajorOffset = 136, DeviceMinorOffset = 140;

        public static (ulong Device, ulong Inode)? DeviceAndInode(string path)
        {
            Span<byte> buffer = stackalloc byte[BufferSize];
            try
            {
                if (Statx(AtCurrentDirectory, path, 0, StatxInode, ref MemoryMarshal.GetReference(buffer)) != 0) return null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null; // a C library without statx (glibc < 2.28, musl < 1.2.5): fall back to the resolved path
            }
            ulong major = MemoryMarshal.Read<uint>(buffer[DeviceMajorOffset..]), minor = MemoryMarshal.Read<uint>(buffer[DeviceMinorOffset..]);
            return ((major << 32) | minor, MemoryMarshal.Read<ulong>(buffer[InodeOffset..]));
        }

        [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
        private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
    }
}
