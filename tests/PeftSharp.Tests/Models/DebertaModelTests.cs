using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Models.Deberta;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>DeBERTa-v2/v3: relative positions, config, HF names, base checkpoints, saving.</summary>
public sealed class DebertaModelTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), "peftsharp-deberta-model-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }

    private static DebertaV2Config FixtureConfig(string name) => (DebertaV2Config)ModelConfig.Load(Path.Combine(ModelFixtures.Folder(name), "config.json"));

    [Fact]
    public void Log_buckets_at_v3_sizes_follow_the_published_formula()
    {
        // position_buckets 256 (mid 128), max_relative_positions 512: |δ| ≤ 128 kept, beyond
        // sign(δ)·(128 + ⌈ln(|δ|/128) / ln(511/128) · 127⌉) (values checked in float64: none near an integer but 511, exactly 127).
        long[] distances = [0, 1, -5, 127, 128, -128, 129, 130, 200, -300, 400, 510, 511, -600, 1000];
        long[] expected = [0, 1, -5, 127, 128, -128, 129, 130, 169, -207, 233, 255, 255, -270, 317];
        using var scope = torch.NewDisposeScope();
        var buckets = RelativePositions.LogBuckets(torch.tensor(distances), 256, 512);
        Assert.Equal(expected, buckets.data<long>().ToArray());
    }

    [Fact]
    public void Embedding_rows_are_clamped_distances_shifted_by_the_span()
    {
        var config = FixtureConfig("deberta_v2_conv_cls") with { MaxRelativePositions = 2 }; // no buckets: span 2, rows 0..3
        using var scope = torch.NewDisposeScope();
        var rows = RelativePositions.EmbeddingRows(4, config, torch.CPU);
        long[] expected =
        [
            2, 1, 0, 0,
            3, 2, 1, 0,
            3, 3, 2, 1,
            3, 3, 3, 2,
        ];
        Assert.Equal(expected, rows.data<long>().ToArray());
        var v3 = FixtureConfig("deberta_v3_cls"); // buckets 8 (span 8), max_relative_positions from max_position_embeddings 12
        var bucketed = RelativePositions.EmbeddingRows(14, v3, torch.CPU);
        Assert.Equal(8 + 0, bucketed[5, 5].item<long>());
        Assert.Equal(8 + 4, bucketed[4, 0].item<long>());
        Assert.Equal(8 + 7, bucketed[13, 2].item<long>());  // distance 11 = max − 1: the last bucket, 7
        Assert.Equal(15, bucketed[13, 0].item<long>());     // distance 13: bucket 8, clamped to the last row
        Assert.Equal(0, bucketed[0, 13].item<long>());
    }

    [Fact]
    public void Fixture_configs_parse_to_the_expected_values()
    {
        var v3 = FixtureConfig("deberta_v3_cls");
        Assert.Equal(["p2c", "c2p"], v3.PosAttType);
        Assert.Equal((3, 8, 12, true, true, false, 0), (v3.ScaleFactor, v3.AttentionSpan, v3.EffectiveMaxRelativePositions,
            v3.NormalizesRelativeEmbeddings, v3.ShareAttKey, v3.PositionBiasedInput, v3.TypeVocabSize));
        Assert.Equal("contradiction", v3.Id2Label![2]);
        var v2 = FixtureConfig("deberta_v2_conv_cls");
        Assert.Equal(["c2p", "p2c"], v2.PosAttType); // from the legacy "c2p|p2c" string
        Assert.Equal((12, 3, "gelu", 4, 2, false), (v2.EffectiveEmbeddingSize, v2.ConvKernelSize, v2.ConvAct, v2.AttentionSpan, v2.NumLabels, v2.NormalizesRelativeEmbeddings));
        var defaults = (DebertaV2Config)ModelConfig.Parse("""{"model_type": "deberta-v2", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16}""");
        Assert.Equal((1, false, 0, 1e-7, "gelu", 512), (defaults.ScaleFactor, defaults.RelativeAttention, defaults.TypeVocabSize, defaults.LayerNormEps, defaults.PoolerHiddenAct, defaults.AttentionSpan));
    }

    [Theory]
    [InlineData("pos_att_type", "[\"c2p\", \"p2p\"]", "'pos_att_type' entry 'p2p' is not supported")]
    [InlineData("pos_att_type", "3", "/m/config.json: field 'pos_att_type': expected a list of strings or a string such as \"p2c|c2p\", got 3")]
    [InlineData("pos_att_type", "[\"c2p\", null]", "/m/config.json: field 'pos_att_type': expected a list of strings or a string such as \"p2c|c2p\", got [\"c2p\",null]")]
    [InlineData("conv_kernel_size", "4", "'conv_kernel_size' must be odd")]
    [InlineData("pooler_hidden_size", "8", "'pooler_hidden_size' (8) must equal 'hidden_size' (16)")]
    [InlineData("max_relative_positions", "5", "'max_relative_positions' (5, or 'max_position_embeddings' when below 1) must exceed 'position_buckets' / 2 + 1 (5)")]
    [InlineData("norm_rel_ebd", "\"batch_norm\"", "'norm_rel_ebd' 'batch_norm' is not supported")]
    public void Invalid_settings_are_named(string field, string json, string message)
    {
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelFixtures.Folder("deberta_v3_cls"), "config.json")))!.AsObject();
        o[field] = JsonNode.Parse(json);
        Assert.Contains(message, Assert.ThrowsAny<PeftSharpException>(() => ModelConfig.Parse(o.ToJsonString(), "/m/config.json")).Message);
    }

    [Fact]
    public void Names_spelled_as_in_huggingface()
    {
        using var v3 = PretrainedModelLoader.Create(FixtureConfig("deberta_v3_cls"));
        using var v2 = PretrainedModelLoader.Create(FixtureConfig("deberta_v2_conv_cls"));
        var shared = v3.Module.named_parameters().Select(p => p.name).ToHashSet();
        var separate = v2.Module.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("deberta.embeddings.word_embeddings.weight", shared);
        Assert.Contains("deberta.encoder.layer.1.attention.self.query_proj.weight", shared);
        Assert.Contains("deberta.encoder.layer.0.attention.output.LayerNorm.bias", shared);
        Assert.Contains("deberta.encoder.rel_embeddings.weight", shared);
        Assert.Contains("deberta.encoder.LayerNorm.weight", shared);
        Assert.Contains("pooler.dense.weight", shared);
        Assert.Contains("classifier.bias", shared);
        Assert.DoesNotContain(shared, n => n.Contains("pos_key_proj") || n.Contains("position_embeddings") || n.Contains("token_type"));
        Assert.Contains("deberta.encoder.layer.0.attention.self.pos_key_proj.weight", separate);
        Assert.Contains("deberta.encoder.layer.0.attention.self.pos_query_proj.bias", separate);
        Assert.Contains("deberta.encoder.conv.conv.weight", separate);
        Assert.Contains("deberta.encoder.conv.LayerNorm.weight", separate);
        Assert.Contains("deberta.embeddings.embed_proj.weight", separate);
        Assert.Contains("deberta.embeddings.token_type_embeddings.weight", separate);
        Assert.DoesNotContain("deberta.encoder.LayerNorm.weight", separate);
        // v3's checkpoint: every key is a parameter except the ignored absolute positions and the position_ids buffer.
        using var checkpoint = SafetensorsCheckpoint.Open(ModelFixtures.Folder("deberta_v3_cls"));
        Assert.Equal(checkpoint.Keys.Where(k => !k.StartsWith("deberta.embeddings.position_", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            shared.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Random_init_follows_hf_with_a_zero_padding_row()
    {
        var config = FixtureConfig("deberta_v3_cls") with { PositionBuckets = 256, MaxPositionEmbeddings = 512, PadTokenId = 0 };
        using var model = PretrainedModelLoader.Create(config, seed: 2);
        var p = model.Module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0, p["deberta.embeddings.word_embeddings.weight"][0].abs().sum().item<float>());
        Assert.Equal([512L, 16L], p["deberta.encoder.rel_embeddings.weight"].shape);
        Assert.InRange(p["deberta.encoder.rel_embeddings.weight"].std().item<float>(), 0.019, 0.021);
        Assert.Equal(16, p["deberta.encoder.LayerNorm.weight"].sum().item<float>());
        Assert.Equal(0, p["classifier.bias"].abs().sum().item<float>());
    }

    [Fact]
    public void A_base_checkpoint_gets_a_new_pooler_and_classifier_with_a_warning()
    {
        // As microsoft/deberta-v3-base: no pooler, no classifier, a pre-training head that is unused.
        var full = DictionarySource.FromFixture("deberta_v3_cls");
        var baseOnly = new DictionarySource(full.Tensors.Where(p => p.Key.StartsWith("deberta.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value));
        baseOnly.Tensors["lm_predictions.lm_head.bias"] = torch.zeros(401);
        var warnings = new List<string>();
        using var model = PretrainedModelLoader.LoadFrom(baseOnly, "/ckpt", full.Config("deberta_v3_cls"), ScalarType.Float32, null, warnings.Add);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("4 weight(s) not in the checkpoint were newly initialised", warnings[0]);
        Assert.Contains("pooler.dense.weight", warnings[0]);
        Assert.Contains("classifier.weight", warnings[0]);
        Assert.Contains("lm_predictions.lm_head.bias", warnings[1]);
        Assert.DoesNotContain("position", warnings[1]);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.True(parameters["deberta.encoder.rel_embeddings.weight"].allclose(full.Tensors["deberta.encoder.rel_embeddings.weight"], 0, 0));
        Assert.Equal(0, parameters["pooler.dense.bias"].abs().sum().item<float>());
    }

    [Fact]
    public void Save_writes_the_hf_layout_and_reloads_identically()
    {
        using var model = ModelFixtures.LoadClassifier("deberta_v2_conv_cls");
        PretrainedModelLoader.Save(model, temp);
        using (var saved = SafetensorsCheckpoint.Open(temp))
        using (var original = SafetensorsCheckpoint.Open(ModelFixtures.Folder("deberta_v2_conv_cls")))
            Assert.Equal(original.Keys.Order(StringComparer.Ordinal), saved.Keys.Order(StringComparer.Ordinal));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp, "config.json")))!;
        Assert.Equal("DebertaV2ForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("deberta-v2", config["model_type"]!.GetValue<string>());
        Assert.Equal(["c2p", "p2c"], config["pos_att_type"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(2, config["id2label"]!.AsObject().Count);
        using var reloaded = PretrainedModelLoader.LoadSequenceClassifier(temp);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 1, 5, 9, 2, 7, 2 }, [1, 6]);
        Assert.True(model.Forward(ids).allclose(reloaded.Forward(ids), 0, 0));
    }

    [Fact]
    public void Deberta_is_not_a_causal_language_model_and_long_inputs_with_absolute_positions_are_refused()
    {
        Assert.Contains("is an encoder", Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("deberta_v3_cls"))).Message);
        using var model = ModelFixtures.LoadClassifier("deberta_v2_conv_cls");
        using var ids = torch.ones(1, 17, dtype: ScalarType.Int64);
        Assert.Contains("sequence of 17 tokens exceeds 'max_position_embeddings' (16)", Assert.ThrowsAny<PeftSharpException>(() => model.Forward(ids)).Message);
    }
}
