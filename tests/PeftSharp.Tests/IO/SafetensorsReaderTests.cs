using System.Runtime.InteropServices;
using PeftSharp.IO;
using TorchSharp;
using static PeftSharp.Tests.IO.SafetensorsTestFiles;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

public class SafetensorsReaderTests
{
    public static TheoryData<ScalarType> AllDtypes => new()
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    };

    [Theory]
    [MemberData(nameof(AllDtypes))]
    public void Every_dtype_round_trips_bit_exactly(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var tensors = new Dictionary<string, Tensor>
        {
            ["values"] = (randn([3, 5], generator: generator) * 100).to(dtype),
            ["scalar"] = tensor(-7.0).to(dtype),                                 // 0-dim
            ["empty"] = zeros([0, 4]).to(dtype),                                 // 0 elements
            ["transposed"] = (randn([4, 6], generator: generator) * 9).to(dtype).t(), // non-contiguous: written as its contiguous copy
        };
        var path = TempFile();
        SafetensorsWriter.Write(path, tensors);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(new[] { "empty", "scalar", "transposed", "values" }, file.Keys);
        foreach (var (name, original) in tensors)
        {
            var read = file.ReadTensor(name);
            Assert.Equal(dtype, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.Equal(Bytes(original), Bytes(read));
            Assert.Equal(SafetensorsDtypes.FromScalarType(dtype), file.GetInfo(name).Dtype);
            Assert.Equal(dtype, file.GetInfo(name).ScalarType);
        }
    }

    private static Tensor FromBits(ushort[] bits, ScalarType dtype)
    {
        var t = empty(bits.Length, dtype);
        MemoryMarshal.AsBytes(bits.AsSpan()).CopyTo(t.bytes);
        return t;
    }

    [Fact]
    public void Half_precision_special_values_round_trip_and_widen_exactly_as_torch_does()
    {
        using var scope = NewDisposeScope();
        // NaN (two payloads), ±inf, ±0, smallest subnormal, largest subnormal, smallest normal, max, 1, -2.5
        var cases = new (ScalarType Dtype, ushort[] Bits)[]
        {
            (ScalarType.BFloat16, [0x7FC0, 0xFFC1, 0x7F80, 0xFF80, 0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x7F7F, 0x3F80, 0xC020]),
            (ScalarType.Float16, [0x7E00, 0xFE01, 0x7C00, 0xFC00, 0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x3C00, 0xC100]),
        };
        foreach (var (dtype, bits) in cases)
        {
            var original = FromBits(bits, dtype);
            var path = TempFile();
            SafetensorsWriter.Write(path, [KeyValuePair.Create("x", original)]);
            using var file = SafetensorsFile.Open(path);
            Assert.Equal(Bytes(original), Bytes(file.ReadTensor("x")));
            Assert.Equal(Bytes(original.to(ScalarType.Float32)), Bytes(file.ReadTensor("x", ScalarType.Float32)));
        }
        // bf16 → f32 is exact by construction: the bf16 bits are the top half of the float32 bits.
        var bf16Path = TempFile();
        SafetensorsWriter.Write(bf16Path, [KeyValuePair.Create("x", FromBits(cases[0].Bits, ScalarType.BFloat16))]);
        using var bf16 = SafetensorsFile.Open(bf16Path);
        var widened = bf16.ReadTensor("x", ScalarType.Float32).data<float>().ToArray().Select(BitConverter.SingleToUInt32Bits);
        Assert.Equal(cases[0].Bits.Select(b => (uint)b << 16), widened);
    }

    [Fact]
    public void Reading_with_a_dtype_or_device_converts_like_torch()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var original = randn([5, 3], dtype: ScalarType.Float64, generator: generator);
        var path = TempFile();
        SafetensorsWriter.Write(path, [KeyValuePair.Create("w", original)]);
        using var file = SafetensorsFile.Open(path);
        foreach (var target in new[] { ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16, ScalarType.Int64 })
            Assert.Equal(Bytes(original.to(target)), Bytes(file.ReadTensor("w", target)));
        var onCpu = file.ReadTensor("w", device: CPU);
        Assert.Equal(DeviceType.CPU, onCpu.device_type);
        Assert.Equal(Bytes(original), Bytes(onCpu));
    }

    [Fact]
    public void Reads_the_golden_file_written_byte_by_byte_by_python()
    {
        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(Fixtures.PathOf("safetensors", "golden.safetensors"));
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "golden" }, file.Metadata);
        Assert.Equal(new[] { "a.f32", "b.bf16", "c.f16", "d.i64", "e.bool", "f.u8", "g.u8", "h.f64", "i.i32", "j.i16", "k.i8" }, file.Keys);

        static byte[] Le<T>(params T[] values) where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var a = file.ReadTensor("a.f32");
        Assert.Equal(new long[] { 2, 3 }, a.shape);
        Assert.Equal(Le(0.5f, -1.25f, 3.0f, 1e-3f, -0.0f, 65504f), Bytes(a));

        Assert.Equal(Le<ushort>(0x3F80, 0xC020, 0x4049, 0x7F80, 0xFF80, 0x7FC0, 0x8000, 0x0001), Bytes(file.ReadTensor("b.bf16")));
        Assert.Equal(Le<uint>(0x3F800000, 0xC0200000, 0x40490000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x80000000, 0x00010000),
            Bytes(file.ReadTensor("b.bf16", ScalarType.Float32)));

        Assert.Equal(Le<ushort>(0x3E00, 0x9400, 0x7BFF, 0x7C00, 0x7E00, 0x0001), Bytes(file.ReadTensor("c.f16")));
        // (which NaN bit pattern the widened NaN gets is libtorch's choice: compared as values, where NaN equals NaN)
        Assert.Equal(new[] { 1.5f, -0.0009765625f, 65504f, float.PositiveInfinity, float.NaN, MathF.Pow(2, -24) },
            file.ReadTensor("c.f16", ScalarType.Float32).data<float>().ToArray());

        Assert.Equal(new[] { -3L, 9007199254740993L }, file.ReadTensor("d.i64").data<long>().ToArray());
        Assert.Equal(new[] { true, false, true }, file.ReadTensor("e.bool").data<bool>().ToArray());
        var empty = file.ReadTensor("f.u8");
        Assert.Equal(new long[] { 0 }, empty.shape);
        Assert.Equal(ScalarType.Byte, empty.dtype);
        Assert.Equal(new byte[] { 0, 128, 255 }, file.ReadTensor("g.u8").data<byte>().ToArray());
        var scalar = file.ReadTensor("h.f64");
        Assert.Empty(scalar.shape);
        Assert.Equal(Le(-1.0 / 3.0), Bytes(scalar));
        var ints = file.ReadTensor("i.i32");
        Assert.Equal(new long[] { 2, 2 }, ints.shape);
        Assert.Equal(new[] { int.MinValue, int.MaxValue, 0, -1 }, ints.data<int>().ToArray());
        Assert.Equal(new short[] { -32768, 32767, 7 }, file.ReadTensor("j.i16").data<short>().ToArray());
        Assert.Equal(new sbyte[] { -128, 127 }, file.ReadTensor("k.i8").data<sbyte>().ToArray());
        Assert.Equal(24 + 16 + 12 + 16 + 3 + 0 + 3 + 8 + 16 + 6 + 2, file.TotalBytes);
    }

    [Fact]
    public void Tensors_larger_than_a_chunk_are_copied_chunk_by_chunk()
    {
        using var scope = NewDisposeScope();
        var values = arange(10, dtype: ScalarType.Float32);
        var seen = new List<(long Offset, byte[] Bytes)>();
        TensorBytes.ForEachChunk(values, (chunk, offset) => seen.Add((offset, chunk.ToArray())), chunkBytes: 14);
        Assert.Equal(new long[] { 0, 12, 24, 36 }, seen.Select(s => s.Offset)); // 3 whole floats per 14-byte chunk
        Assert.Equal(Bytes(values), seen.SelectMany(s => s.Bytes).ToArray());

        seen.Clear();
        TensorBytes.ForEachChunk(arange(3, dtype: ScalarType.Int64), (chunk, offset) => seen.Add((offset, chunk.ToArray())), chunkBytes: 5);
        Assert.Equal(new long[] { 0, 8, 16 }, seen.Select(s => s.Offset)); // never less than one element
        Assert.Equal(new[] { 0L, 1, 2 }, seen.Select(s => BitConverter.ToInt64(s.Bytes)));
    }

    [Fact]
    public void Tensors_read_own_their_memory_after_the_file_is_closed()
    {
        using var scope = NewDisposeScope();
        var path = TempFile();
        SafetensorsWriter.Write(path, [KeyValuePair.Create("w", arange(6, dtype: ScalarType.Float32))]);
        Tensor read;
        using (var file = SafetensorsFile.Open(path)) read = file.ReadTensor("w");
        File.Delete(path);
        Assert.Equal(new[] { 0f, 1, 2, 3, 4, 5 }, read.data<float>().ToArray());
    }

    [Fact]
    public void Files_with_no_data_area_open()
    {
        using (var none = SafetensorsFile.Open(Raw("{}")))
            Assert.Empty(none.Keys);
        using var onlyEmpty = SafetensorsFile.Open(Raw("""{"e": {"dtype": "F32", "shape": [2, 0], "data_offsets": [0, 0]}, "__metadata__": {}}"""));
        using var read = onlyEmpty.ReadTensor("e");
        Assert.Equal(new long[] { 2, 0 }, read.shape);
        Assert.Empty(onlyEmpty.Metadata);
    }

    [Fact]
    public void Gaps_between_tensors_and_bytes_after_the_last_are_accepted()
    {
        // Stricter than needed would be to reject them (the reference reader does); they cannot make tensors share bytes.
        var data = new byte[] { 9, 9, 1, 0, 9, 2, 0, 9, 9 };
        using var file = SafetensorsFile.Open(Raw(
            """{"b": {"dtype": "I16", "shape": [1], "data_offsets": [5, 7]}, "a": {"dtype": "I16", "shape": [1], "data_offsets": [2, 4]}}""", data));
        Assert.Equal(new short[] { 1 }, file.ReadTensor("a").data<short>().ToArray());
        Assert.Equal(new short[] { 2 }, file.ReadTensor("b").data<short>().ToArray());
    }

    [Fact]
    public void Unknown_tensor_names_are_errors_naming_file_and_tensor()
    {
        var path = TempFile();
        SafetensorsWriter.Write(path, [KeyValuePair.Create("present", ones(1))]);
        using var file = SafetensorsFile.Open(path);
        Assert.True(file.Contains("present"));
        Assert.False(file.Contains("absent"));
        foreach (var action in new Action[] { () => file.GetInfo("absent"), () => file.ReadTensor("absent") })
        {
            var e = Assert.ThrowsAny<PeftSharpException>(action);
            Assert.Contains(path, e.Message);
            Assert.Contains("'absent'", e.Message);
        }
    }
}
