using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on the Vernaux entry named <see cref="VersionName"/> in each ELF64
/// little-endian shared object; with <see cref="OnlyWhereSystemLacksIt"/>, only when this system's
/// libstdc++ does not provide that version (build output, which runs here).
/// </summary>
public sealed class WeakenElfVersionNeed : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionName { get; set; } = "";
    [Required] public bool OnlyWhereSystemLacksIt { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (OnlyWhereSystemLacksIt && SystemProvidesVersion())
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {VersionName}; no patch needed.");
            return true;
        }
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var outcome = Weaken(path);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {outcome}");
            }
            catch (Exception e)
            {
                Log.LogError($"Could not weaken the {VersionName} need of {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    bool SystemProvidesVersion()
    {
        var needle = Encoding.ASCII.GetBytes(VersionName + "\0");
        foreach (var candidate in LibStdCxxCandidates)
        {
            if (!File.Exists(candidate)) continue;
            var bytes = File.ReadAllBytes(candidate);
            return Contains(bytes, needle); // the first libstdc++ found is the one the loader uses
        }
        return false;
    }

    string Weaken(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");

        long sectionHeaders = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            long header = sectionHeaders + (long)i * entrySize;
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, header + 0x18);
            uint entries = U32(elf, header + 0x2C);
            long strtabHeader = sectionHeaders + (long)U32(elf, header + 0x28) * entrySize;
            long strtab = (long)U64(elf, strtabHeader + 0x18);

            long need = offset;
            for (uint n = 0; n < entries; n++)
            {
                int auxCount = U16(elf, need + 2);
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (ReadString(elf, strtab + U32(elf, aux + 8)) == VersionName)
                    {
                        ushort flags = U16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return $"{VersionName} need already weak";
                        var weakened = BitConverter.GetBytes((ushort)(flags | VerFlagWeak));
                        Array.Copy(weakened, 0, elf, aux + 4, 2);
                        var temp = path + ".weaken.tmp";
                        File.WriteAllBytes(temp, elf);
                        File.Replace(temp, path, null); // atomic rename: never a half-written library
                        return $"weakened the {VersionName} need";
                    }
                    aux += U32(elf, aux + 12);
                }
                need += U32(elf, need + 12);
            }
        }
        return $"no {VersionName} need";
    }

    static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, checked((int)at));
    static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));
    static ulong U64(byte[] b, long at) => BitConverter.ToUInt64(b, checked((int)at));

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    static string ReadString(byte[] b, long at)
    {
        int start = checked((int)at), end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}
