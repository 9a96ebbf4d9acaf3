using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>How checkpoint keys map to parameters: prefixes, tied heads, buffers, legacy names, missing and unexpected keys.</summary>
public class CheckpointMappingTests
{
    private static PretrainedModel Load(string fixture, DictionarySource source, List<string>? warnings = null) =>
        PretrainedModelLoader.LoadFrom(source, "/ckpt", source.Config(fixture), ScalarType.Float32, null, warnings is null ? null : warnings.Add);

    [Fact]
    public void Missing_weights_are_an_error_that_lists_them()
    {
        var source = DictionarySource.FromFixture("llama_gqa");
        source.Tensors.Remove("model.layers.1.mlp.up_proj.weight");
        source.Tensors.Remove("lm_head.weight");
        var message = Assert.ThrowsAny<PeftSharpException>(() => Load("llama_gqa", source)).Message;
        Assert.Contains("/ckpt", message);
        Assert.Contains("lacks 2 weight(s)", message);
        Assert.Contains("model.layers.1.mlp.up_proj.weight", message);
        Assert.Contains("lm_head.weight", message);
    }

    [Fact]
    public void Long_lists_of_missing_weights_are_shortened()
    {
        var source = new DictionarySource(new() { ["unrelated.weight"] = torch.zeros(2) });
        var message = Assert.ThrowsAny<PeftSharpException>(() => Load("llama_gqa", source)).Message;
        Assert.Contains("lacks 21 weight(s)", message);
        Assert.Contains("… and 9 more", message);
    }

    [Fact]
    public void Unexpected_weights_are_a_warning_and_known_buffers_are_silent()
    {
        var source = DictionarySource.FromFixture("gpt2_original");
        source.Tensors["transformer.extra.weight"] = torch.zeros(3);   // a prefixed key next to unprefixed ones
        source.Tensors["score.weight"] = torch.zeros(2, 16);
        var warnings = new List<string>();
        using var model = Load("gpt2_original", source, warnings);
        var warning = Assert.Single(warnings);
        Assert.Contains("2 checkpoint weight(s) are not used", warning);
        Assert.Contains("score.weight", warning);
        Assert.DoesNotContain("attn.bias", warning);      // h.N.attn.bias / masked_bias buffers
    }

    [Fact]
    public void Wrong_shapes_name_the_tensor_and_both_shapes()
    {
        var source = DictionarySource.FromFixture("llama_gqa");
        source.Tensors["model.layers.0.self_attn.k_proj.weight"] = torch.zeros(32, 16); // as if no GQA
        var message = Assert.ThrowsAny<PeftSharpException>(() => Load("llama_gqa", source)).Message;
        Assert.Contains("'model.layers.0.self_attn.k_proj.weight' has shape [32, 16], the config needs [16, 16]", message);
    }

    [Theory]
    [InlineData("gpt2_original", "transformer.", false)]
    [InlineData("gpt2_prefixed", null, false)]
    [InlineData("gpt2_prefixed_lm_head", null, true)]
    [InlineData("llama3_tied", null, false)]
    public void The_key_layout_read_is_the_layout_saved(string fixture, string? omittedPrefix, bool storesTiedHead)
    {
        var source = DictionarySource.FromFixture(fixture);
        using var model = Load(fixture, source);
        Assert.Equal(new CheckpointLayout(omittedPrefix, storesTiedHead), model.Layout);
        var saved = PretrainedModelLoader.CheckpointTensors(model).ToDictionary(p => p.Key, p => p.Value);
        var expectedKeys = source.Tensors.Keys.Where(k => !CheckpointPlan.IsKnownBuffer(k)).Order(StringComparer.Ordinal);
        Assert.Equal(expectedKeys, saved.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in saved) Assert.True(tensor.allclose(source.Tensors[key], 0, 0), key);
    }

    [Fact]
    public void Old_bert_layer_norm_gamma_beta_names_are_accepted()
    {
        var source = DictionarySource.FromFixture("bert_cls");
        foreach (var key in source.Tensors.Keys.Where(k => k.Contains("LayerNorm")).ToList())
        {
            var renamed = key.EndsWith(".weight") ? key[..^6] + "gamma" : key[..^4] + "beta";
            source.Tensors[renamed] = source.Tensors[key];
            source.Tensors.Remove(key);
        }
        var warnings = new List<string>();
        using var model = Load("bert_cls", source, warnings);
        Assert.Empty(warnings);
        var saved = PretrainedModelLoader.CheckpointTensors(model).Select(p => p.Key).ToList();
        Assert.Contains("bert.embeddings.LayerNorm.weight", saved); // saved in today's names
    }

    [Fact]
    public void A_base_encoder_checkpoint_gets_a_new_head_with_a_warning()
    {
        // As bert-base-uncased: no "bert." prefix, no classifier, a pre-training head that is unused.
        var full = DictionarySource.FromFixture("bert_cls");
        var baseOnly = new DictionarySource(full.Tensors
            .Where(p => p.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["bert.".Length..], p => p.Value));
        baseOnly.Tensors["cls.predictions.bias"] = torch.zeros(64);
        var warnings = new List<string>();
        using var model = Load("bert_cls", baseOnly, warnings);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("newly initialised", warnings[0]);
        Assert.Contains("classifier.weight", warnings[0]);
        Assert.Contains("cls.predictions.bias", warnings[1]);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.True(parameters["bert.pooler.dense.weight"].allclose(full.Tensors["bert.pooler.dense.weight"], 0, 0));
        Assert.Equal(0, parameters["classifier.bias"].abs().sum().item<float>());          // HF init of the new head
        Assert.InRange(parameters["classifier.weight"].abs().max().item<float>(), 1e-6, 0.2);
        Assert.Equal(CheckpointLayout.Canonical, model.Layout);                           // saved with the usual prefix
    }

    [Fact]
    public void Classifier_num_labels_mismatch_is_a_shape_error()
    {
        var source = DictionarySource.FromFixture("roberta_cls");
        var config = (PeftSharp.Models.Bert.BertConfig)source.Config("roberta_cls") with { NumLabels = 5, Id2Label = null };
        var message = Assert.ThrowsAny<PeftSharpException>(() =>
            PretrainedModelLoader.LoadFrom(source, "/ckpt", config, ScalarType.Float32, null, null)).Message;
        Assert.Contains("'classifier.out_proj.weight' has shape [3, 16], the config needs [5, 16]", message);
    }

    [Fact]
    public void Loading_in_bfloat16_gives_bfloat16_parameters_and_close_logits()
    {
        var source = DictionarySource.FromFixture("llama_gqa");
        using var model = (ICausalLanguageModel)PretrainedModelLoader.LoadFrom(source, "/ckpt", source.Config("llama_gqa"), ScalarType.BFloat16, null, null);
        Assert.All(model.Module.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var reference = (ICausalLanguageModel)PretrainedModelLoader.LoadFrom(source, "/ckpt", source.Config("llama_gqa"), ScalarType.Float32, null, null);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 1, 5, 9, 13 }, [1, 4]);
        var low = model.Forward(ids).to(ScalarType.Float32);
        var high = reference.Forward(ids);
        Assert.True((low - high).abs().max().item<float>() < 0.25 * high.abs().max().item<float>());
    }

    [Fact]
    public void Saving_a_model_with_injected_layers_is_refused()
    {
        var source = DictionarySource.FromFixture("gpt2_prefixed");
        using var model = Load("gpt2_prefixed", source);
        var block = model.named_modules().Single(m => m.name == "transformer.h.0.attn").module;
        block.register_module("lora_A", nn.Linear(2, 2));
        var message = Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.CheckpointTensors(model)).Message;
        Assert.Contains("transformer.h.0.attn.lora_A.weight", message);
        Assert.Contains("merge and unload adapters first", message);
    }
}
