using System.Buffers.Binary;
using CsCheck;
using PeftSharp.IO.Gguf;
using PeftSharp.Tests.Data;
using static PeftSharp.Tests.Hangs;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// Property tests over damaged GGUF files: whatever the damage, opening, reading every metadata value and every tensor
/// either succeeds or throws <see cref="PeftSharpException"/> — no other exception, no hang, no allocation out of
/// proportion to the file.
/// </summary>
public class GgufFuzzTests
{
    /// <summary>Opens a file and reads every metadata value and tensor: true on success, false on the typed error (see <see cref="DamagedInput"/>).</summary>
    private static bool OpenAndReadAll(string path)
    {
        long fileLength = new FileInfo(path).Length;
        return DamagedInput.ReadsOrRejects(fileLength, () =>
        {
            using var file = GgufFile.Open(path);
            foreach (var (key, value) in file.Metadata.Entries) _ = value.TypeName + key;
            foreach (var info in file.Tensors)
            {
                using var t = file.ReadTensor(info.Name, ScalarType.Float32);
                Assert.True(info.ByteLength <= fileLength, $"tensor '{info.Name}' of {info.ByteLength} bytes from a {fileLength}-byte file");
            }
        }, source: path);
    }

    /// <summary>Seeds: a file from PeftSharp's writer (metadata arrays, F32/F16/BF16/Q8_0 tensors) and a hand-built one with K-quant and Q4_0 blocks.</summary>
    private static byte[][] Seeds()
    {
        var path = Path.Combine(GgufTestModels.TempFolder("fuzz-seed"), "seed.gguf");
        var writer = new GgufWriter()
            .Add("general.architecture", GgufValue.Of("llama"))
            .Add("tokenizer.ggml.tokens", GgufValue.Of(["a", "b", "é"]))
            .Add("tokenizer.ggml.scores", GgufValue.Of([0f, -1f, -2f]))
            .Add("tokenizer.ggml.token_type", GgufValue.Of([1, 1, 3]))
            .Add("llama.block_count", GgufValue.Of(2u))
            .Add("flag", GgufValue.Of(true));
        writer.AddTensor("w", [2, 32], GgufTensorType.Q8_0, () => arange(64, dtype: ScalarType.Float32).reshape(2, 32) / 7);
        writer.AddTensor("h", [3], GgufTensorType.F16, () => ones(3));
        writer.AddTensor("b", [2, 2], GgufTensorType.BF16, () => ones(2, 2));
        writer.AddTensor("f", [4], GgufTensorType.F32, () => ones(4));
        writer.Write(path);
        var random = new Random(5);
        byte[] Block(int bytes) { var b = new byte[bytes]; random.NextBytes(b); return b; }
        var quantised = new GgufBytes().KvString("general.architecture", "gpt2")
            .Tensor("q4k", [256], 12, Block(144)).Tensor("q5k", [256], 13, Block(176)).Tensor("q6k", [256], 14, Block(210)).Tensor("q40", [32], 2, Block(18))
            .ToArray();
        return [File.ReadAllBytes(path), quantised];
    }

    [Fact]
    public void Files_with_byte_level_damage_give_success_or_the_typed_error()
    {
        var seeds = Seeds();
        var scratch = Path.Combine(GgufTestModels.TempFolder("fuzz"), "mutant.gguf");
        int successes = 0, iterations = 0;
        WithinLimit(finished => ByteMutator.Gen(seeds.Length).SampleFixed(c =>
        {
            File.WriteAllBytes(scratch, ByteMutator.Apply(seeds[c.Seed], c.Ops));
            iterations++;
            if (OpenAndReadAll(scratch)) successes++;
            finished();
        }, iter: 1500));
        Assert.InRange(successes, 1, iterations - 1);
    }

    [Fact]
    public void Files_with_damaged_counts_lengths_and_offsets_give_success_or_the_typed_error()
    {
        // Overwrite one 8-byte little-endian field (a count, a string or array length, a dimension, an offset) anywhere with a
        // value near its old one, a power of two or anything.
        var seeds = Seeds();
        var scratch = Path.Combine(GgufTestModels.TempFolder("fuzz"), "mutant.gguf");
        var value = Gen.Frequency((2, Gen.Long[-64, 64]), (1, Gen.Int[0, 63].Select(b => 1L << b)), (1, Gen.Long));
        WithinLimit(finished => Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 4096], value, Gen.Bool).SampleFixed((seed, at, v, relative) =>
        {
            var bytes = (byte[])seeds[seed].Clone();
            int position = at % (bytes.Length - 8);
            long old = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position));
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(position), relative ? old + v : v);
            File.WriteAllBytes(scratch, bytes);
            OpenAndReadAll(scratch);
            finished();
        }, iter: 1500));
    }
}
