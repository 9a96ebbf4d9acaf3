using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using PeftSharp.IO;
using PeftSharp.Tests.Data;
using TorchSharp;
using static PeftSharp.Tests.Hangs;
using static PeftSharp.Tests.IO.SafetensorsTestFiles;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

/// <summary>
/// Property tests over damaged files: whatever the damage, opening and reading everything either succeeds or throws
/// <see cref="PeftSharpException"/> — no other exception, no hang, no allocation out of proportion to the file.
/// </summary>
public class SafetensorsFuzzTests
{
    /// <summary>Opens and fully reads a file: true on success, false on the typed error (see <see cref="DamagedInput"/>).</summary>
    private static bool OpenAndReadAll(string path)
    {
        long fileLength = new FileInfo(path).Length;
        return DamagedInput.ReadsOrRejects(fileLength, () =>
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var key in file.Keys)
            {
                using var t = file.ReadTensor(key);
                Assert.True(t.numel() * t.ElementSize <= fileLength, $"tensor '{key}' of {t.numel()} elements from a {fileLength}-byte file");
            }
        }, source: path);
    }

    private static byte[] ValidFile(string dir)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(dir, "valid.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["layer.weight"] = randn(4, 3),
            ["layer.bias"] = zeros(4, dtype: ScalarType.BFloat16),
            ["ids"] = arange(5),
            ["mask"] = tensor(new[] { true, false }),
            ["scalar"] = tensor(2.5, dtype: ScalarType.Float64),
            ["none"] = zeros([0, 2], dtype: ScalarType.Int16),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(path);
    }

    /// <summary>A file from a header text and a data area, with the size field right or off by <paramref name="sizeError"/>.</summary>
    private static byte[] Assemble(string header, ReadOnlySpan<byte> data, long sizeError)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(text.Length + sizeError));
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes.AsSpan(8 + text.Length));
        return bytes;
    }

    [Fact]
    public void Files_with_edited_headers_and_damaged_data_give_success_or_the_typed_error()
    {
        var dir = TempDirectory();
        var original = ValidFile(dir);
        var (_, header, data) = Split(original);
        var scratch = Path.Combine(dir, "mutant.safetensors");
        // Edits, then: size field right (mostly) or slightly / wildly off, data area truncated, kept or extended.
        var sizeError = Gen.Frequency((6, Gen.Const(0L)), (1, Gen.Long[-4, 4]), (1, Gen.Long));
        var dataLength = Gen.Frequency((4, Gen.Const(data.Length)), (1, Gen.Int[0, data.Length + 16]));
        int successes = 0, iterations = 0;
        WithinLimit(done => Gen.Select(SafetensorsHeaderEdit.Gen.Array[0, 3], sizeError, dataLength).SampleFixed((edits, error, length) =>
        {
            var json = JsonNode.Parse(header)!.AsObject();
            foreach (var edit in edits) edit.Apply(json);
            var area = new byte[length];
            data.AsSpan(0, Math.Min(length, data.Length)).CopyTo(area);
            File.WriteAllBytes(scratch, Assemble(json.ToJsonString(), area, error));
            iterations++;
            if (OpenAndReadAll(scratch)) successes++;
            done();
        }, iter: 2000));
        // The property means something only if the damage sometimes passes and sometimes is caught.
        Assert.InRange(successes, iterations / 20, iterations - iterations / 20);
    }

    [Fact]
    public void Files_with_byte_level_damage_give_success_or_the_typed_error()
    {
        var dir = TempDirectory();
        var original = ValidFile(dir);
        int headerSize = Split(original).HeaderSize;
        var scratch = Path.Combine(dir, "mutant.safetensors");
        var position = Gen.Int[0, original.Length - 1];
        var mutation = Gen.OneOf(
            // overwrite or xor one byte anywhere (size field, JSON, data)
            Gen.Select(position, Gen.Byte, (at, b) => (Func<byte[], byte[]>)(bytes => { var c = (byte[])bytes.Clone(); if (at < c.Length) c[at] = b; return c; })),
            Gen.Select(position, Gen.Byte[1, 255], (at, b) => (Func<byte[], byte[]>)(bytes => { var c = (byte[])bytes.Clone(); if (at < c.Length) c[at] ^= b; return c; })),
            // truncate anywhere
            position.Select(at => (Func<byte[], byte[]>)(bytes => bytes[..Math.Min(at, bytes.Length)])),
            // an arbitrary header-size field, or one a little off the true size
            Gen.ULong.Select(size => (Func<byte[], byte[]>)(bytes => WithSize(bytes, size))),
            Gen.Int[-16, 16].Select(delta => (Func<byte[], byte[]>)(bytes => WithSize(bytes, (ulong)(headerSize + delta)))));
        static byte[] WithSize(byte[] bytes, ulong size)
        {
            if (bytes.Length < 8) return bytes;
            var c = (byte[])bytes.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(c, size);
            return c;
        }
        WithinLimit(done => Gen.Select(mutation, mutation).SampleFixed((first, second) =>
        {
            File.WriteAllBytes(scratch, second(first(original)));
            OpenAndReadAll(scratch);
            done();
        }, iter: 1500));
    }

    [Fact]
    public void Files_with_structural_damage_give_success_or_the_typed_error()
    {
        // Insertions of JSON tokens, huge numbers, lone surrogate escapes, invalid UTF-8, duplicated and moved ranges.
        var dir = TempDirectory();
        var seeds = new[] { ValidFile(dir), File.ReadAllBytes(Fixtures.PathOf("safetensors", "golden.safetensors")) };
        var scratch = Path.Combine(dir, "mutant.safetensors");
        WithinLimit(done => ByteMutator.Gen(seeds.Length).SampleFixed(c =>
        {
            var mutant = ByteMutator.Apply(seeds[c.Seed], c.Ops);
            // Half of the time, a size field near the seed's, so that the damage reaches the JSON parser.
            if (c.Ops[0] % 2 == 0 && mutant.Length >= 8)
            {
                long guess = (long)BinaryPrimitives.ReadUInt64LittleEndian(seeds[c.Seed]) + c.Ops[0] % 64 - 32;
                BinaryPrimitives.WriteUInt64LittleEndian(mutant, (ulong)Math.Clamp(guess, 0, mutant.Length - 8));
            }
            File.WriteAllBytes(scratch, mutant);
            OpenAndReadAll(scratch);
            done();
        }, iter: 1500));
    }

    [Fact]
    public void Damaged_shard_indexes_give_success_or_the_typed_error()
    {
        var dir = TempDirectory();
        using (var scope = NewDisposeScope())
        {
            SafetensorsWriter.Write(Path.Combine(dir, "model-00001-of-00002.safetensors"), [KeyValuePair.Create("a", ones(2))]);
            SafetensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), [KeyValuePair.Create("b", ones(3))]);
        }
        var index = Encoding.UTF8.GetBytes(
            """{"metadata": {"total_size": 20}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        var indexPath = Path.Combine(dir, SafetensorsCheckpoint.IndexFile);
        WithinLimit(done => ByteMutator.Gen(1).SampleFixed(c =>
        {
            File.WriteAllBytes(indexPath, ByteMutator.Apply(index, c.Ops));
            try
            {
                using var checkpoint = SafetensorsCheckpoint.Open(dir);
                foreach (var key in checkpoint.Keys) checkpoint.ReadTensor(key).Dispose();
                _ = checkpoint.TotalBytes;
            }
            catch (PeftSharpException) { }
            done();
        }, iter: 800));
    }
}
