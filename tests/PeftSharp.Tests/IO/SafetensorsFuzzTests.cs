using System.Buffers.Binary;
using CsCheck;
using PeftSharp.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

public class SafetensorsFuzzTests
{
    /// <summary>Opens and fully reads a file; success or <see cref="PeftSharpException"/> are the only acceptable outcomes.</summary>
    static void OpenAndReadAll(string path)
    {
        try
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var key in file.Keys) file.ReadTensor(key).Dispose();
        }
        catch (PeftSharpException) { }
    }

    [Fact]
    public void Mutated_files_give_success_or_the_typed_error()
    {
        var valid = Path.Combine(Directory.CreateTempSubdirectory("peft-fuzz-").FullName, "valid.safetensors");
        SafetensorsWriter.Write(valid, new Dictionary<string, Tensor>
        {
            ["layer.weight"] = torch.randn(4, 3),
            ["layer.bias"] = torch.zeros(4, dtype: ScalarType.BFloat16),
            ["ids"] = torch.arange(5),
            ["mask"] = torch.tensor(new[] { true, false }),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        var original = File.ReadAllBytes(valid);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var scratch = Path.Combine(Path.GetDirectoryName(valid)!, "mutant.safetensors");

        // Mutations take positions as fractions so that they compose on arrays of any length.
        static byte[] Set(byte[] bytes, double at, Func<byte, byte> change)
        {
            if (bytes.Length == 0) return bytes;
            var copy = (byte[])bytes.Clone();
            int i = Math.Min(bytes.Length - 1, (int)(at * bytes.Length));
            copy[i] = change(copy[i]);
            return copy;
        }
        double headerFraction = (double)headerEnd / original.Length;
        var mutation =
            Gen.OneOf(
                // overwrite a byte inside the header (JSON damage), or xor one anywhere
                Gen.Select(Gen.Double[0, headerFraction], Gen.Byte, (at, b) => (Func<byte[], byte[]>)(bytes => Set(bytes, at, _ => b))),
                Gen.Select(Gen.Double[0, 1], Gen.Byte, (at, b) => (Func<byte[], byte[]>)(bytes => Set(bytes, at, x => (byte)(x ^ b)))),
                // truncate
                Gen.Double[0, 1].Select(at => (Func<byte[], byte[]>)(bytes => bytes[..(int)(at * bytes.Length)])),
                // arbitrary header-size field
                Gen.ULong.Select(size => (Func<byte[], byte[]>)(bytes =>
                {
                    if (bytes.Length < 8) return bytes;
                    var c = (byte[])bytes.Clone();
                    BinaryPrimitives.WriteUInt64LittleEndian(c, size);
                    return c;
                })),
                // replace a digit in the header (offsets, shapes) with another digit
                Gen.Select(Gen.Double[0, headerFraction], Gen.Char['0', '9'], (at, d) => (Func<byte[], byte[]>)(bytes =>
                    Set(bytes, at, x => char.IsAsciiDigit((char)x) ? (byte)d : x))));

        Gen.Select(mutation, mutation).Sample(pair =>
        {
            File.WriteAllBytes(scratch, pair.Item2(pair.Item1(original)));
            OpenAndReadAll(scratch);
        }, iter: 3000, threads: 1);
    }
}
