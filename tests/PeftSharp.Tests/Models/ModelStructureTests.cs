using System.Reflection;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>The contracts other parts of PeftSharp rely on: HF parameter names, swappable linear layers, HF init.</summary>
public class ModelStructureTests
{
    [Theory]
    [InlineData("gpt2_prefixed")]
    [InlineData("llama_gqa")]
    [InlineData("llama3_tied")]
    [InlineData("qwen2_bf16")]
    [InlineData("mistral_sharded")]
    [InlineData("roberta_cls")]
    [InlineData("bert_cls")]
    [InlineData("gpt2_cls")]
    [InlineData("llama_cls")]
    [InlineData("deberta_v2_conv_cls")]
    public void Parameter_names_equal_the_hf_checkpoint_keys(string name)
    {
        var dir = ModelFixtures.Folder(name);
        using var source = SafetensorsCheckpoint.Open(dir);
        using var model = PretrainedModelLoader.Build(ModelConfig.Load(Path.Combine(dir, "config.json")), ScalarType.Float32, null);
        var keys = source.Keys.Where(k => !k.EndsWith("position_ids", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(keys, model.named_parameters().Select(p => p.name).Order(StringComparer.Ordinal));
        Assert.Empty(model.named_buffers()); // nothing beyond HF's parameters ends up in a saved state
    }

    [Fact]
    public void Names_spelled_as_in_huggingface()
    {
        using var gpt2 = PretrainedModelLoader.Create(new Gpt2Config { VocabSize = 50, NEmbd = 8, NLayer = 1, NHead = 2, NPositions = 16 });
        using var llama = PretrainedModelLoader.Create(new LlamaConfig { VocabSize = 50, HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 4, NumAttentionHeads = 2 });
        using var roberta = PretrainedModelLoader.Create(new BertConfig { ModelType = "roberta", VocabSize = 50, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16, PadTokenId = 1 });
        using var bert = PretrainedModelLoader.Create(new BertConfig { VocabSize = 50, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16 });
        string[] Names(IPretrainedModel m) => m.Module.named_parameters().Select(p => p.name).ToArray();
        Assert.Contains("transformer.h.0.attn.c_attn.weight", Names(gpt2));
        Assert.Contains("transformer.h.0.mlp.c_proj.bias", Names(gpt2));
        Assert.DoesNotContain("lm_head.weight", Names(gpt2));
        Assert.Contains("model.layers.3.self_attn.q_proj.weight", Names(llama));
        Assert.Contains("model.layers.3.mlp.gate_proj.weight", Names(llama));
        Assert.Contains("lm_head.weight", Names(llama));
        Assert.Contains("roberta.encoder.layer.0.attention.self.query.weight", Names(roberta));
        Assert.Contains("roberta.embeddings.LayerNorm.weight", Names(roberta));
        Assert.Contains("classifier.dense.weight", Names(roberta));
        Assert.Contains("classifier.out_proj.bias", Names(roberta));
        Assert.Contains("bert.pooler.dense.weight", Names(bert));
        Assert.Contains("bert.encoder.layer.0.output.LayerNorm.bias", Names(bert));
        Assert.Contains("classifier.weight", Names(bert));
    }

    /// <summary>Delegates to the layer it replaces and counts calls, as an adapter would.</summary>
    private sealed class CountingWrapper : nn.Module<Tensor, Tensor>
    {
        public nn.Module<Tensor, Tensor> base_layer;
        public int Calls;

        public CountingWrapper(nn.Module<Tensor, Tensor> inner) : base(nameof(CountingWrapper))
        {
            base_layer = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            return base_layer.forward(x);
        }
    }

    private static List<CountingWrapper> WrapEveryLinearLayer(nn.Module root)
    {
        var wrappers = new List<CountingWrapper>();
        foreach (var module in root.named_modules().Select(m => m.module).Prepend(root).ToList())
        {
            foreach (var field in module.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (field.GetValue(module) is not (Linear or Conv1D)) continue;
                // The adapter contract: linear-like layers sit in fields typed Module<Tensor, Tensor>.
                Assert.Equal(typeof(nn.Module<Tensor, Tensor>), field.FieldType);
                var wrapper = new CountingWrapper((nn.Module<Tensor, Tensor>)field.GetValue(module)!);
                field.SetValue(module, wrapper);
                module.register_module(field.Name, null!);
                module.register_module(field.Name, wrapper);
                wrappers.Add(wrapper);
            }
        }
        return wrappers;
    }

    [Theory]
    [InlineData("gpt2_original", 4 * 2)]
    [InlineData("llama_gqa", 7 * 2 + 1)]
    [InlineData("roberta_cls", 6 * 2 + 2)]
    [InlineData("bert_cls", 6 * 2 + 2)]
    [InlineData("gpt2_cls", 4 * 2 + 1)]
    [InlineData("llama_cls", 7 * 2 + 1)]
    [InlineData("deberta_v3_cls", 6 * 2 + 2, 2 * 2)]      // q, k, v, attention.output, intermediate, output; pooler, classifier
                                                          // (share_att_key: query_proj and key_proj also project the relative embeddings)
    [InlineData("deberta_v2_conv_cls", 8 * 2 + 2 + 1)]   // + pos_key_proj, pos_query_proj; + embed_proj
    public void Every_linear_layer_is_called_through_a_swappable_field(string name, int linearLayers, int extraCalls = 0)
    {
        using var model = name.Contains("cls") ? (IPretrainedModel)ModelFixtures.LoadClassifier(name) : ModelFixtures.LoadCausal(name);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 0, 5, 9, 13, 2, 8 }, [1, 6]);
        Tensor Run() => model is ICausalLanguageModel lm ? lm.Forward(ids) : ((ISequenceClassificationModel)model).Forward(ids);
        var before = Run();
        var wrappers = WrapEveryLinearLayer(model.Module);
        Assert.Equal(linearLayers, wrappers.Count);
        Assert.Contains(model.Module.named_parameters(), p => p.name.EndsWith(".base_layer.weight", StringComparison.Ordinal));
        if (model is ISequenceClassificationModel classifier)
        {
            // modules_to_save replaces the whole head through its field.
            var field = model.Module.GetType().GetField(classifier.ClassifierModuleName)!;
            Assert.Equal(typeof(nn.Module<Tensor, Tensor>), field.FieldType);
        }
        var after = Run();
        Assert.True(before.allclose(after, 0, 0));
        Assert.All(wrappers, w => Assert.InRange(w.Calls, 1, 2));
        Assert.Equal(linearLayers + extraCalls, wrappers.Sum(w => w.Calls));
    }

    [Fact]
    public void Random_initialisation_follows_hf_and_is_seeded()
    {
        var config = new Gpt2Config { VocabSize = 500, NEmbd = 64, NLayer = 2, NHead = 4, NPositions = 32, InitializerRange = 0.05 };
        using var a = PretrainedModelLoader.Create(config, seed: 3);
        using var b = PretrainedModelLoader.Create(config, seed: 3);
        using var c = PretrainedModelLoader.Create(config, seed: 4);
        var pa = a.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pb = b.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pc = c.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(pa, p => Assert.True(p.Value.allclose(pb[p.Key], 0, 0), p.Key));
        Assert.False(pa["transformer.wte.weight"].allclose(pc["transformer.wte.weight"]));
        Assert.InRange(pa["transformer.wte.weight"].std().item<float>(), 0.048, 0.052);
        Assert.InRange(pa["transformer.h.0.attn.c_attn.weight"].std().item<float>(), 0.047, 0.053);
        Assert.InRange(pa["transformer.h.0.mlp.c_proj.weight"].std().item<float>(), 0.05 / 2 * 0.93, 0.05 / 2 * 1.07); // /√(2·n_layer)
        Assert.Equal(0, pa["transformer.h.1.attn.c_attn.bias"].abs().sum().item<float>());
        Assert.Equal(1, pa["transformer.h.1.ln_2.weight"].mean().item<float>());
        Assert.Equal(0, pa["transformer.ln_f.bias"].abs().sum().item<float>());
    }

    [Fact]
    public void Random_encoder_zeroes_padding_embeddings_and_llama_norms_are_ones()
    {
        using var roberta = PretrainedModelLoader.Create(new BertConfig { ModelType = "roberta", VocabSize = 50, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16, PadTokenId = 1, MaxPositionEmbeddings = 20 }, seed: 1);
        var p = roberta.Module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0, p["roberta.embeddings.word_embeddings.weight"][1].abs().sum().item<float>());
        Assert.Equal(0, p["roberta.embeddings.position_embeddings.weight"][1].abs().sum().item<float>());
        Assert.NotEqual(0, p["roberta.embeddings.word_embeddings.weight"][2].abs().sum().item<float>());
        using var llama = PretrainedModelLoader.Create(new LlamaConfig { VocabSize = 50, HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2 }, seed: 1);
        var q = llama.Module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(8, q["model.layers.0.input_layernorm.weight"].sum().item<float>());
        Assert.Equal(8, q["model.norm.weight"].sum().item<float>());
    }

    [Fact]
    public void Llama3_fixture_hits_all_three_rope_frequency_bands()
    {
        var config = (LlamaConfig)ModelConfig.Load(Path.Combine(ModelFixtures.Folder("llama3_tied"), "config.json"));
        var scaled = new RotaryEmbedding(config).InverseFrequencies;
        var plain = new RotaryEmbedding(config with { RopeScaling = null }).InverseFrequencies;
        // head_dim 8 → 4 frequencies 1, 0.1, 0.01, 0.001: wavelengths 6.3 (< 16: kept), 63 (between 16 and 64:
        // smoothed, smooth = (64/62.8 − 1)/3 ≈ 0.0064), 628 and 6283 (> 64: divided by 8).
        Assert.Equal(plain[0], scaled[0]);
        var smooth = (64 / (2 * Math.PI / plain[1]) - 1) / 3;
        Assert.Equal((1 - smooth) * plain[1] / 8 + smooth * plain[1], scaled[1], 1e-7);
        Assert.Equal(plain[2] / 8, scaled[2], 1e-9);
        Assert.Equal(plain[3] / 8, scaled[3], 1e-9);
    }

    [Fact]
    public void Causal_models_refuse_sequences_beyond_their_positions()
    {
        using var model = ModelFixtures.LoadCausal("gpt2_original");
        using var ids = torch.zeros(1, 25, dtype: ScalarType.Int64);
        Assert.Contains("exceeds GPT-2's context of 24 positions",
            Assert.ThrowsAny<PeftSharpException>(() => model.Forward(ids)).Message);
    }

    [Fact]
    public void Ids_outside_the_vocabularies_are_named()
    {
        using var gpt2 = ModelFixtures.LoadCausal("gpt2_original");
        using var ids = torch.tensor(new long[] { 3, 64 }, [1, 2]);
        Assert.Contains("input_ids contains id 64, outside 0..63", Assert.ThrowsAny<PeftSharpException>(() => gpt2.Forward(ids)).Message);
        using var bert = ModelFixtures.LoadClassifier("bert_cls");
        using var types = torch.tensor(new long[] { 0, 2 }, [1, 2]);
        using var fine = torch.tensor(new long[] { 2, 3 }, [1, 2]);
        Assert.Contains("token_type_ids contains id 2, outside 0..1", Assert.ThrowsAny<PeftSharpException>(() => bert.Forward(fine, null, types)).Message);
    }
}
