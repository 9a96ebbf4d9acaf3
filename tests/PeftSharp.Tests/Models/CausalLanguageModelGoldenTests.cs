using PeftSharp.Models;
using TorchSharp;

namespace PeftSharp.Tests.Models;

/// <summary>Logits of every causal fixture against the independent PyTorch reference (tools/golden/models).</summary>
public class CausalLanguageModelGoldenTests
{
    [Theory]
    [MemberData(nameof(ModelFixtures.Causal), MemberType = typeof(ModelFixtures))]
    public void Logits_match_the_reference_within_1e_4_including_left_padding(string name)
    {
        var warnings = new List<string>();
        using var model = ModelFixtures.LoadCausal(name, warnings);
        Assert.Empty(warnings); // known buffers (GPT-2 attn.bias) and a stored tied head are silent
        foreach (var c in ModelFixtures.Expected(name).GetProperty("cases").EnumerateArray())
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var ids = ModelFixtures.Tensor2D(c.GetProperty("input_ids"));
            var mask = ModelFixtures.Tensor2D(c.GetProperty("attention_mask"));
            var logits = model.Forward(ids, mask);                                      // (batch, seq, vocab)
            Assert.Equal(ModelFixtures.Ints(c.GetProperty("shape")).Select(x => (long)x), logits.shape);
            var vocab = logits.shape[2];
            var real = mask.data<long>().ToArray();
            // Padding positions produce don't-care outputs; every real position is compared.
            var diff = ModelFixtures.MaxAbsDifference(logits.data<float>().ToArray(), ModelFixtures.Floats(c.GetProperty("logits")),
                i => real[i / vocab] == 1);
            Assert.True(diff <= 1e-4, $"{name}/{c.GetProperty("name").GetString()}: max |Δlogit| = {diff}");
        }
    }

    [Fact]
    public void Both_gpt2_key_layouts_load_to_identical_parameters()
    {
        using var original = ModelFixtures.LoadCausal("gpt2_original");
        using var prefixed = ModelFixtures.LoadCausal("gpt2_prefixed");
        using var withHead = ModelFixtures.LoadCausal("gpt2_prefixed_lm_head");
        var a = original.Module.named_parameters().ToList();
        foreach (var other in new[] { prefixed, withHead })
        {
            var b = other.Module.named_parameters().ToList();
            Assert.Equal(a.Select(p => p.name), b.Select(p => p.name));
            for (var i = 0; i < a.Count; i++) Assert.True(a[i].parameter.allclose(b[i].parameter, 0, 0), a[i].name);
        }
    }

    [Fact]
    public void Bf16_checkpoint_is_converted_to_float32_by_default()
    {
        using var model = ModelFixtures.LoadCausal("qwen2_bf16");
        Assert.All(model.Module.parameters(), p => Assert.Equal(torch.ScalarType.Float32, p.dtype));
    }
}
