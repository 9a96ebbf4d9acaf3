using LLama.Native;
using PeftSharp.IO.Gguf;
using PeftSharp.Models;
using PeftSharp.Models.Llama;
using PeftSharp.Tokenization;
using PeftSharp.Workflows;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// GGUF models as PeftSharp's base model: an f32 export reads back bit for bit; files quantised by llama.cpp's own quantiser
/// dequantise within their type's resolution and run close to llama.cpp on the same file; PeftSharp's Q8_0 equals llama.cpp's.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public class GgufImportTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new() { "gpt2", "llama-gqa", "llama3", "qwen2" };

    private static string Model(string name) => name switch
    {
        "gpt2" => GgufTestModels.ShippedGpt2,
        "llama-gqa" => GgufTestModels.LlamaGqa(),
        "llama3" => GgufTestModels.Llama3(),
        _ => GgufTestModels.Qwen2(),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_hf_folder_exported_to_f32_gguf_loads_back_bit_identical(string name)
    {
        var folder = Model(name);
        var gguf = Path.Combine(GgufTestModels.TempFolder("roundtrip"), "model.gguf");
        ExportWorkflow.Model(folder, null, gguf);
        using var original = PretrainedModelLoader.LoadCausalLM(folder);
        using var imported = PretrainedModelLoader.LoadCausalLM(gguf);
        var expected = original.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var actual = imported.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected) Assert.True(value.equal(actual[key]).all().item<bool>(), $"{key} differs after the round trip");
        if (original.Config is LlamaConfig llama) Assert.Equal(llama.RopeScaling, ((LlamaConfig)imported.Config).RopeScaling);

        var tokenizer = TokenizerLoader.Load(folder);
        var embedded = TokenizerLoader.Load(gguf);
        foreach (var text in LlamaCppAgreementTests.ByteLevelTexts.Concat(LlamaCppAgreementTests.SentencePieceTexts))
            Assert.Equal(tokenizer.Encode(text), embedded.Encode(text));
        Assert.Equal((tokenizer.BosTokenId, tokenizer.EosTokenId), (embedded.BosTokenId, embedded.EosTokenId));
    }

    /// <summary>
    /// Resolution of each type: the largest error allowed, as a multiple of max|x| / L over a block (32 elements for Q8_0
    /// and Q4_0, the super-block of 256 for K-quants), L the levels on each side of zero. Measured on wordnet-gpt2: Q8_0 0.55
    /// (half a step, plus the f16 rounding of the scale), Q4_0 1.002 (the top code is clamped), Q4_K 0.73, Q5_K 0.87, Q6_K 0.50.
    /// </summary>
    private static (int Block, double Levels, double Steps) Resolution(GgufTensorType type) => type switch
    {
        GgufTensorType.Q8_0 => (32, 127, 0.6),
        GgufTensorType.Q4_0 => (32, 8, 1.01),
        GgufTensorType.Q4_K => (256, 7.5, 1.0),
        GgufTensorType.Q5_K => (256, 15.5, 1.0),
        GgufTensorType.Q6_K => (256, 31, 0.6),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>llama.cpp multiplies quantised weights with activations rounded to 8 bits; measured ≤ 0.16 on logits up to ~17.</summary>
    private const double QuantisedLogitTolerance = 0.3;

    [Theory]
    [InlineData(LLamaFtype.MOSTLY_Q8_0)]
    [InlineData(LLamaFtype.MOSTLY_Q4_K_M)]
    [InlineData(LLamaFtype.MOSTLY_Q5_K_M)]
    [InlineData(LLamaFtype.MOSTLY_Q4_0)]
    public void A_file_quantised_by_llama_cpp_dequantises_within_its_resolution_and_runs_close_to_llama_cpp(LLamaFtype type)
    {
        var folder = GgufTestModels.TempFolder("quantised");
        string f32 = Path.Combine(folder, "f32.gguf"), quantised = Path.Combine(folder, $"{type}.gguf");
        ExportWorkflow.Model(GgufTestModels.ShippedGpt2, null, f32);
        LlamaCpp.Quantize(f32, quantised, type);
        using (var original = GgufFile.Open(f32))
        using (var file = GgufFile.Open(quantised))
        {
            var types = file.Tensors.Where(t => t.Type != GgufTensorType.F32).Select(t => t.Type).Distinct().ToList();
            output.WriteLine($"{type}: {string.Join(", ", types)}");
            Assert.NotEmpty(types);
            foreach (var tensor in file.Tensors.Where(t => t.Type != GgufTensorType.F32))
            {
                using var scope = NewDisposeScope();
                var (block, levels, steps) = Resolution(tensor.Type);
                var x = original.ReadTensor(tensor.Name, ScalarType.Float32).reshape(-1, block);
                var error = (file.ReadTensor(tensor.Name, ScalarType.Float32).reshape(-1, block) - x).abs().amax([1]);
                var allowed = x.abs().amax([1]) * (steps / levels);
                Assert.True(error.le(allowed).all().item<bool>(), $"{tensor.Name} ({tensor.Type}): an error of {(error / (allowed / steps)).max().item<float>():F3} steps");
            }
        }
        using var cpp = LlamaCpp.Load(quantised);
        using var ours = new PeftSharpRun(quantised);
        foreach (var text in LlamaCppAgreementTests.ByteLevelTexts)
        {
            var tokens = ours.Tokenizer.Encode(text).ToArray();
            Assert.Equal(tokens, cpp.Tokenize(text));
            double difference = PeftSharpRun.MaxDifference(ours.Logits(tokens), cpp.Logits(tokens));
            Assert.True(difference <= QuantisedLogitTolerance, $"\"{text}\": logits differ by up to {difference:F3}");
        }
    }

    [Fact]
    public void The_q8_0_export_is_byte_identical_to_llama_cpps_quantiser()
    {
        var folder = GgufTestModels.TempFolder("q8");
        string f32 = Path.Combine(folder, "f32.gguf"), theirs = Path.Combine(folder, "theirs.gguf"), ours = Path.Combine(folder, "ours.gguf");
        ExportWorkflow.Model(GgufTestModels.ShippedGpt2, null, f32);
        ExportWorkflow.Model(GgufTestModels.ShippedGpt2, null, ours, "q8_0");
        LlamaCpp.Quantize(f32, theirs, LLamaFtype.MOSTLY_Q8_0);
        using var a = GgufFile.Open(ours);
        using var b = GgufFile.Open(theirs);
        var bytesA = File.ReadAllBytes(ours);
        var bytesB = File.ReadAllBytes(theirs);
        int compared = 0;
        foreach (var tensor in a.Tensors.Where(t => t.Type == GgufTensorType.Q8_0))
        {
            var other = b.GetInfo(tensor.Name);
            if (other.Type != GgufTensorType.Q8_0) continue;
            Assert.True(bytesA.AsSpan((int)(a.DataStart + tensor.Offset), (int)tensor.ByteLength)
                .SequenceEqual(bytesB.AsSpan((int)(b.DataStart + other.Offset), (int)other.ByteLength)), $"{tensor.Name}: Q8_0 bytes differ");
            compared++;
        }
        Assert.True(compared >= 4 * 4, $"only {compared} tensors were Q8_0 in both files");
    }
}
