using System.Buffers.Binary;
using PeftSharp.IO.Gguf;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>The GGUF reader on files built byte by byte: values, shapes and block decoding as the format says, and one clear error per broken rule.</summary>
public class GgufReaderTests
{
    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
    private static byte[] Half(float value) => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)value));

    [Fact]
    public void Metadata_of_every_type_and_tensors_in_pytorch_order_read_as_written()
    {
        var path = new GgufBytes { Alignment = 64 }
            .KvUInt32("general.alignment", 64)
            .KvString("general.architecture", "llama")
            .Kv("a.u8", 0, w => w.Write((byte)7)).Kv("a.i8", 1, w => w.Write((sbyte)-7)).Kv("a.u16", 2, w => w.Write((ushort)700))
            .Kv("a.i16", 3, w => w.Write((short)-700)).Kv("a.i32", 5, w => w.Write(-70000)).Kv("a.f32", 6, w => w.Write(1e-5f))
            .Kv("a.bool", 7, w => w.Write((byte)1)).Kv("a.u64", 10, w => w.Write(7UL << 40)).Kv("a.i64", 11, w => w.Write(-7L << 40))
            .Kv("a.f64", 12, w => w.Write(0.25))
            .Kv("a.strings", 9, w => { w.Write(8u); w.Write(2UL); GgufBytes.Str(w, "é"); GgufBytes.Str(w, ""); })
            .Kv("a.ints", 9, w => { w.Write(5u); w.Write(3UL); w.Write(1); w.Write(-2); w.Write(3); })
            .Tensor("w", [3, 2], 0, Floats(1, 2, 3, 4, 5, 6))
            .Tensor("h", [2], 1, [.. Half(0.5f), .. Half(-2f)])
            .Tensor("b", [2], 30, [0x80, 0x3F, 0x00, 0xC0]) // bf16 1.0, -2.0
            .Save();
        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        Assert.Equal("llama", m.String("general.architecture"));
        Assert.Equal([7L, -7, 700, -700, -70000, 7L << 40, -7L << 40], new[] { "a.u8", "a.i8", "a.u16", "a.i16", "a.i32", "a.u64", "a.i64" }.Select(k => m.Integer(k)!.Value));
        Assert.Equal(1e-5, m.Number("a.f32"));
        Assert.Equal(0.25, m.Number("a.f64"));
        Assert.True(m.Bool("a.bool"));
        Assert.Equal(["é", ""], m.Strings("a.strings")!);
        Assert.Equal([1, -2, 3], m.Integers("a.ints")!);
        Assert.Equal(0, file.DataStart % 64);
        using var scope = NewDisposeScope();
        var w = file.ReadTensor("w", ScalarType.Float32);
        Assert.Equal([2L, 3], w.shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], w.data<float>().ToArray());
        Assert.Equal([0.5f, -2f], file.ReadTensor("h", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal([1f, -2f], file.ReadTensor("b", ScalarType.Float32).data<float>().ToArray());
        Assert.Contains("found string", Assert.Throws<PeftSharpException>(() => m.Integer("general.architecture")).Message);
    }

    [Fact]
    public void Q8_0_and_Q4_0_blocks_decode_as_scale_times_quant()
    {
        var q8 = new byte[34];
        Half(0.5f).CopyTo(q8, 0);
        for (int j = 0; j < 32; j++) q8[2 + j] = (byte)(sbyte)(j - 16);
        var q4 = new byte[18];
        Half(0.25f).CopyTo(q4, 0);
        for (int j = 0; j < 16; j++) q4[2 + j] = (byte)(j | (15 - j) << 4); // element j = j, element j + 16 = 15 − j
        var path = new GgufBytes().Tensor("q8", [32], 8, q8).Tensor("q4", [32], 2, q4).Save();
        using var file = GgufFile.Open(path);
        using var scope = NewDisposeScope();
        Assert.Equal(Enumerable.Range(0, 32).Select(j => (j - 16) * 0.5f), file.ReadTensor("q8", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(Enumerable.Range(0, 16).Select(j => (j - 8) * 0.25f).Concat(Enumerable.Range(0, 16).Select(j => (7 - j) * 0.25f)),
            file.ReadTensor("q4", ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void A_Q4_K_super_block_decodes_with_its_six_bit_scales_and_mins()
    {
        // d = 0.5, dmin = 0.25; sub-block j has scale j + 1 and min 2j (all below 16, so the packed high bits are 0):
        // bytes 0–3 scales of 0–3, 4–7 mins of 0–3, 8–11 the low nibbles of scales (low) and mins (high) of 4–7.
        var block = new byte[144];
        Half(0.5f).CopyTo(block, 0);
        Half(0.25f).CopyTo(block, 2);
        for (int j = 0; j < 4; j++)
        {
            block[4 + j] = (byte)(j + 1);
            block[8 + j] = (byte)(2 * j);
            block[12 + j] = (byte)((j + 4 + 1) | (2 * (j + 4)) << 4);
        }
        for (int l = 0; l < 128; l++) block[16 + l] = (byte)(l % 16 | (15 - l % 16) << 4);
        var path = new GgufBytes().Tensor("k", [256], 12, block).Save();
        using var file = GgufFile.Open(path);
        using var scope = NewDisposeScope();
        var x = file.ReadTensor("k", ScalarType.Float32).data<float>().ToArray();
        for (int i = 0; i < 256; i++)
        {
            int sub = i / 32, pair = sub / 2, l = i % 32, quant = sub % 2 == 0 ? (32 * pair + l) % 16 : 15 - (32 * pair + l) % 16;
            Assert.Equal(0.5f * (sub + 1) * quant - 0.25f * (2 * sub), x[i]);
        }
    }

    public static TheoryData<string, byte[]> BrokenFiles()
    {
        var valid = new GgufBytes().KvString("general.architecture", "gpt2").Tensor("t", [4], 0, Floats(1, 2, 3, 4)).ToArray();
        byte[] With(Action<byte[]> edit) { var c = (byte[])valid.Clone(); edit(c); return c; }
        return new TheoryData<string, byte[]>
        {
            { "not a GGUF file", With(b => b[0] = (byte)'X') },
            { "version 1 is obsolete", With(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 1)) },
            { "big-endian", With(b => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 3)) },
            { "too short", valid[..20] },
            { "more than its", With(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), ulong.MaxValue)) },
            { "truncated", valid[..40] },
            { "appears twice", new GgufBytes().KvString("k", "a").KvString("k", "b").ToArray() },
            { "a bool must be 0 or 1", new GgufBytes().Kv("k", 7, w => w.Write((byte)2)).ToArray() },
            { "not valid UTF-8", new GgufBytes().Kv("k", 8, w => { w.Write(1UL); w.Write((byte)0xFF); }).ToArray() },
            { "array of arrays", new GgufBytes().Kv("k", 9, w => { w.Write(9u); w.Write(1UL); }).ToArray() },
            { "unknown value type", new GgufBytes().Kv("k", 13, w => w.Write(0)).ToArray() },
            { "must be a power of two", new GgufBytes().KvUInt32("general.alignment", 48).ToArray() },
            { "must be uint32", new GgufBytes().KvString("general.alignment", "32").ToArray() },
            { "tensor 't' appears twice", new GgufBytes().Tensor("t", [4], 0, Floats(1, 2, 3, 4)).Tensor("t", [4], 0, Floats(1, 2, 3, 4)).ToArray() },
            { "5 dimensions", new GgufBytes().Tensor("t", [1, 1, 1, 1, 4], 0, Floats(1, 2, 3, 4)).ToArray() },
            { "type Q3_K, which PeftSharp cannot read (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K", new GgufBytes().Tensor("t", [256], 11, new byte[110]).ToArray() },
            { "type 99", new GgufBytes().Tensor("t", [4], 99, new byte[16]).ToArray() },
            { "not a multiple of its block of 32", new GgufBytes().Tensor("t", [16], 8, new byte[34]).ToArray() },
            { "not a multiple of the alignment", new GgufBytes().Tensor("t", [4], 0, Floats(1, 2, 3, 4), offset: 4).ToArray() },
            { "lie outside the data section", new GgufBytes().Tensor("t", [4], 0, Floats(1, 2, 3), offset: 0).ToArray() },
            { "overlap", new GgufBytes().Tensor("a", [8], 0, new byte[32]).Tensor("b", [8], 0, new byte[32], offset: 0).ToArray() },
            { "longer than 63 bytes", new GgufBytes().Tensor(new string('n', 64), [4], 0, Floats(1, 2, 3, 4)).ToArray() },
            { "too large", new GgufBytes().Tensor("t", [1UL << 40, 1UL << 40], 0, new byte[4]).ToArray() },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Each_broken_rule_is_one_error_naming_the_file_and_the_culprit(string expected, byte[] bytes)
    {
        var path = Path.Combine(GgufTestModels.TempFolder("broken"), "broken.gguf");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<PeftSharpException>(() => { using var file = GgufFile.Open(path); });
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
