using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

/// <summary>Files for the safetensors tests: temporary paths, and files built byte by byte (independently of the writer).</summary>
internal static class SafetensorsTestFiles
{
    public static string TempDirectory() => Directory.CreateTempSubdirectory("peft-st-").FullName;

    public static string TempFile(string name = "model.safetensors") => Path.Combine(TempDirectory(), name);

    /// <summary>A file from a hand-written header and data area; <paramref name="declaredHeaderSize"/> overrides the size field.</summary>
    public static string Raw(string header, byte[]? data = null, ulong? declaredHeaderSize = null) =>
        Raw(Encoding.UTF8.GetBytes(header), data, declaredHeaderSize);

    public static string Raw(byte[] header, byte[]? data = null, ulong? declaredHeaderSize = null)
    {
        var path = TempFile();
        var bytes = new byte[8 + header.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderSize ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The raw bytes of a tensor's elements (contiguous, CPU).</summary>
    public static byte[] Bytes(Tensor t) => t.numel() == 0 ? [] : t.cpu().contiguous().bytes.ToArray();

    /// <summary>(header size, header text, data area) of a file, split as the format says.</summary>
    public static (int HeaderSize, string Header, byte[] Data) Split(byte[] file)
    {
        var size = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (size, Encoding.UTF8.GetString(file, 8, size), file[(8 + size)..]);
    }
}
