using System.Buffers.Binary;
using System.Text;
using PeftSharp.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

public class SafetensorsTests
{
    static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("peft-st-").FullName, "model.safetensors");

    /// <summary>A file from a hand-written header and data area, to test the reader independently of the writer.</summary>
    static string Raw(string header, byte[]? data = null, long? declaredHeaderSize = null)
    {
        var path = TempFile();
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredHeaderSize ?? headerBytes.Length));
        headerBytes.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + headerBytes.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] Bytes(Tensor t) => t.numel() == 0 ? [] : t.contiguous().bytes.ToArray();

    public static TheoryData<ScalarType> AllDtypes => new()
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    };

    [Theory]
    [MemberData(nameof(AllDtypes))]
    public void Every_dtype_round_trips_bit_exactly(ScalarType dtype)
    {
        torch.manual_seed(1);
        var values = (torch.randn(3, 5) * 100).to(dtype);
        var scalar = torch.tensor(7).to(dtype);      // 0-dim
        var empty = torch.zeros(0, 4).to(dtype);     // 0 elements
        var path = TempFile();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["values"] = values, ["scalar"] = scalar, ["empty"] = empty });
        using var file = SafetensorsFile.Open(path);
        foreach (var (name, original) in new[] { ("values", values), ("scalar", scalar), ("empty", empty) })
        {
            var read = file.ReadTensor(name);
            Assert.Equal(dtype, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.Equal(Bytes(original), Bytes(read));
        }
    }

    [Fact]
    public void Special_float_values_survive_in_half_precision()
    {
        var special = torch.tensor(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, 1e-8f, 65504f });
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var original = special.to(dtype);
            var path = TempFile();
            SafetensorsWriter.Write(path, [KeyValuePair.Create("x", original)]);
            using var file = SafetensorsFile.Open(path);
            Assert.Equal(Bytes(original), Bytes(file.ReadTensor("x")));
            // bf16/f16 → f32 on read equals torch's own conversion
            Assert.Equal(Bytes(original.to(ScalarType.Float32)), Bytes(file.ReadTensor("x", ScalarType.Float32)));
        }
    }

    [Fact]
    public void Reads_a_file_written_by_an_independent_implementation()
    {
        using var file = SafetensorsFile.Open(Fixtures.PathOf("safetensors", "golden.safetensors"));
        Assert.Equal("golden", file.Metadata["note"]);
        Assert.Equal(new[] { "a.f32", "b.bf16", "c.f16", "d.i64", "e.bool", "f.u8" }, file.Keys);
        Assert.Equal(new[] { 0.5f, -1.25f, 3.0f, 1e-3f, -0.0f, 65504f }, file.ReadTensor("a.f32").data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, file.ReadTensor("a.f32").shape);
        Assert.Equal(new[] { 1.0f, -2.5f, 3.140625f }, file.ReadTensor("b.bf16", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new[] { 1.5f, -0.0009765625f }, file.ReadTensor("c.f16", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new[] { -3L, 9007199254740993L }, file.ReadTensor("d.i64").data<long>().ToArray());
        Assert.Equal(new[] { true, false, true }, file.ReadTensor("e.bool").data<bool>().ToArray());
        Assert.Equal(0, file.ReadTensor("f.u8").numel());
    }

    [Fact]
    public void Writer_output_follows_the_spec_byte_for_byte()
    {
        var path = TempFile();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["z"] = torch.tensor(new[] { 1.0f }),
            ["a"] = torch.tensor(new short[] { 2, 3 }),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        var headerSize = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerSize % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, headerSize);
        Assert.Equal(
            """{"__metadata__":{"format":"pt"},"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},"z":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""",
            header.TrimEnd(' '));
        Assert.Equal(new byte[] { 2, 0, 3, 0, 0, 0, 0x80, 0x3f }, bytes[(8 + headerSize)..]);
    }

    public static TheoryData<string, string, string> MalformedHeaders => new()
    {
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}""", "", "not valid UTF-8 JSON" },
        { """[1, 2]""", "", "must be a JSON object" },
        { """{"t": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "unknown dtype" },
        { """{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", "'t'", "needs 12" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}""", "'t'", "outside the data area" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", "'t'", "begin after end" },
        { """{"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", "'t'", "non-negative" },
        { """{"t": {"dtype": "F32", "shape": [2]}}""", "'t'", "data_offsets" },
        { """{"t": {"shape": [2], "data_offsets": [0, 8]}}""", "'t'", "dtype" },
        { """{"t": 5}""", "'t'", "expected an object" },
        { """{"t": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}""", "'t'", "too large" },
        { """{"u": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "v": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", "'v'", "overlaps tensor 'u'" },
        { """{"__metadata__": {"format": 1}, "t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "format", "must be a string" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Malformed_headers_name_the_file_and_the_tensor(string header, string culprit, string expected)
    {
        var path = Raw(header, new byte[8]);
        var e = Assert.Throws<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(culprit, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Header_size_beyond_the_file_or_absurd_fails_before_allocating()
    {
        var huge = Raw("{}", declaredHeaderSize: 100L * 1024 * 1024 * 1024); // claims 100 GB
        Assert.Contains("truncated", Assert.Throws<PeftSharpException>(() => SafetensorsFile.Open(huge)).Message);
        var tiny = TempFile();
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<PeftSharpException>(() => SafetensorsFile.Open(tiny)).Message);
    }

    [Fact]
    public void Truncated_file_names_the_tensor_whose_data_is_missing()
    {
        var path = TempFile();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(64) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void Sharded_checkpoint_routes_each_tensor_to_its_shard()
    {
        var dir = Directory.CreateTempSubdirectory("peft-shards-").FullName;
        SafetensorsWriter.Write(Path.Combine(dir, "model-00001-of-00002.safetensors"), new Dictionary<string, Tensor> { ["a"] = torch.ones(2) });
        SafetensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), new Dictionary<string, Tensor> { ["b"] = torch.full(3, 2.0f) });
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            """{"metadata": {"total_size": 20}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        Assert.Equal(new[] { "a", "b" }, checkpoint.Keys);
        Assert.Equal(new[] { 2f, 2f, 2f }, checkpoint.ReadTensor("b").data<float>().ToArray());
        Assert.Equal(20, checkpoint.TotalBytes);
    }

    [Fact]
    public void Shard_paths_cannot_leave_the_model_folder()
    {
        var dir = Directory.CreateTempSubdirectory("peft-shards-").FullName;
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), """{"weight_map": {"a": "../secret.safetensors"}}""");
        Assert.Contains("weight_map.a", Assert.Throws<PeftSharpException>(() => SafetensorsCheckpoint.Open(dir)).Message);
    }

    [Fact]
    public void Pickle_only_checkpoints_get_a_conversion_message()
    {
        var dir = Directory.CreateTempSubdirectory("peft-bin-").FullName;
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);
        var e = Assert.Throws<PeftSharpException>(() => SafetensorsCheckpoint.Open(dir));
        Assert.Contains("never loads pickle", e.Message);
        Assert.Contains("save_file", e.Message);
    }
}
