using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tests.Models;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>The PEFT options and conventions PeftSharp follows: layers_to_transform, lora_bias, bias keys, modules_to_save, PEFT-only fields.</summary>
public class PeftCompatibilityTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("peft-compat-").FullName;

    [Theory]
    [InlineData("transformer.h.3.attn.c_attn", null, 3)]
    [InlineData("model.layers.12.self_attn.q_proj", null, 12)]
    [InlineData("model.layers.1.experts.0.w1", null, 1)] // the layer, not the nested expert index
    [InlineData("h.3.attn.c_attn", null, null)] // PEFT needs a segment before the layer list
    [InlineData("model.layers.3", null, null)] // nor a path that ends at the layer
    [InlineData("bert.pooler.dense", null, null)]
    [InlineData("model.decoder.layers.2.fc1", "layers", 2)]
    [InlineData("model.blocks.2.fc1", "layers", null)]
    public void A_layer_index_is_read_as_PEFT_reads_it(string path, string? pattern, int? index) =>
        Assert.Equal(index, LayerSelection.IndexOf(path, pattern is null ? null : [pattern]));

    [Fact]
    public void Layers_to_transform_adapts_only_the_named_layers_and_is_saved_in_the_config()
    {
        using var model = ModelFixtures.LoadCausal("gpt2_prefixed");
        var config = new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("c_attn", "c_fc"), LayersToTransform = [1], LayersPattern = ["h"] };
        using var peft = PeftModel.Create(model.Module, config);
        Assert.Equal(["transformer.h.1.attn.c_attn", "transformer.h.1.mlp.c_fc"], peft.Layers.Keys.Order());
        var dir = TempDir();
        peft.Save(dir);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, AdapterConfigFile.FileName)))!;
        Assert.Equal("[1]", json["layers_to_transform"]!.ToJsonString());
        Assert.Equal("""["h"]""", json["layers_pattern"]!.ToJsonString());
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(ModelFixtures.LoadCausal("gpt2_prefixed").Module, config with { LayersPattern = ["layers"] }));
        Assert.Contains("layers_to_transform", e.Message);
    }

    [Fact]
    public void Layers_to_transform_needs_target_modules_as_names_and_layers_pattern_needs_layers_to_transform()
    {
        var regex = Assert.Throws<InvalidOptionException>(() => new LoraConfig { TargetModules = TargetModules.FromPattern(".*attn.*"), LayersToTransform = [0] }.Validate());
        Assert.Equal("layers_to_transform", regex.Option);
        var pattern = Assert.Throws<InvalidOptionException>(() => new LoraConfig { TargetModules = TargetModules.FromNames("q"), LayersPattern = ["h"] }.Validate());
        Assert.Equal("layers_pattern", pattern.Option);
        Assert.Equal("layers_to_transform", Assert.Throws<InvalidOptionException>(() => new LoraConfig { TargetModules = TargetModules.FromNames("q"), LayersToTransform = [-1] }.Validate()).Option);
        var parsed = AdapterConfigFile.Parse("""{"peft_type": "LORA", "target_modules": ["q"], "layers_to_transform": 2, "layers_pattern": "h"}""", "cfg.json");
        Assert.Equal([2], parsed.LayersToTransform!); // PEFT writes one index or one pattern without a list
        Assert.Equal(["h"], parsed.LayersPattern!);
    }

    [Fact]
    public void Lora_bias_adds_s_times_b_B_to_the_output_and_merges_it_into_the_layer_bias()
    {
        torch.manual_seed(5);
        var model = new TinyMlp(inFeatures: 6, hidden: 5, outFeatures: 4);
        var bias = ((Linear)model.fc_in).bias!.detach().clone();
        using var peft = PeftModel.Create(model, new LoraConfig { R = 2, LoraAlpha = 3, TargetModules = TargetModules.FromNames("fc_in"), LoraBias = true });
        var lora = (LoraLayer)peft.Layers["fc_in"]["default"];
        Assert.Contains("fc_in.lora_B.bias", peft.TrainableParameters().Select(t => t.Name));
        var x = Random(3, 6);
        var before = model.call(x).detach().clone();
        using (no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.add_(torch.randn_like(t.Parameter) * 0.3);
        var layer = peft.Layers["fc_in"];
        var upBias = lora.named_parameters().Single(p => p.name == "lora_B.bias").parameter;
        AssertClose(layer.Base.Forward(x) + x.matmul(lora.DeltaWeight(layer.Base).t()) + upBias * 1.5, layer.call(x), 1e-12, "forward");
        var trained = model.call(x).detach().clone();
        Assert.True((trained - before).abs().max().item<double>() > 1e-6);
        peft.Merge();
        AssertClose(trained, model.call(x), 1e-12, "merged");
        AssertClose(bias + upBias * 1.5, ((Linear)layer.BaseModule).bias!, 1e-12, "merged bias");
        peft.Unmerge();
        AssertClose(bias, ((Linear)layer.BaseModule).bias!, 1e-12, "unmerged bias");
    }

    [Fact]
    public void Lora_bias_cannot_merge_into_a_layer_without_bias_and_is_refused_with_DoRA()
    {
        var model = new TinyMlp();
        var bare = nn.Linear(6, 5, hasBias: false, dtype: ScalarType.Float64);
        model.fc_in = bare;
        model.register_module("fc_in", null!);
        model.register_module("fc_in", bare);
        using var peft = PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.FromNames("fc_in"), LoraBias = true });
        var e = Assert.ThrowsAny<PeftSharpException>(() => peft.Merge());
        Assert.Contains("fc_in", e.Message);
        Assert.Contains("lora_bias", e.Message);
        Assert.Equal("lora_bias", Assert.Throws<InvalidOptionException>(() => new LoraConfig { TargetModules = TargetModules.FromNames("q"), LoraBias = true, UseDora = true }.Validate()).Option);
    }

    [Theory]
    [InlineData(BiasMode.LoraOnly)]
    [InlineData(BiasMode.All)]
    public void Biases_round_trip_under_PEFTs_key_and_PeftSharps_older_one(BiasMode bias)
    {
        torch.manual_seed(7);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in", "c_proj"), Bias = bias });
        using (no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.add_(torch.randn_like(t.Parameter) * 0.3);
        var x = Random(4, 12);
        var trained = model.call(x).detach().clone();
        var dir = TempDir();
        peft.Save(dir);
        var weights = Path.Combine(dir, AdapterFormat.WeightsFileName);
        using (var file = SafetensorsFile.Open(weights))
        {
            Assert.Contains("base_model.model.fc_in.base_layer.bias", file.Keys); // PEFT's key: PEFT loads it (strict=False would drop "fc_in.bias")
            Assert.Contains("base_model.model.c_proj.base_layer.bias", file.Keys);
            Assert.DoesNotContain("base_model.model.fc_in.bias", file.Keys);
            Assert.Equal(bias == BiasMode.All, file.Keys.Contains("base_model.model.head.bias")); // a bias of a layer without adapter keeps its plain key
        }
        foreach (var layout in new[] { "peft", "older PeftSharp" })
        {
            if (layout != "peft") RewriteKeys(weights, k => k.Replace(".base_layer.bias", ".bias", StringComparison.Ordinal));
            torch.manual_seed(7);
            var fresh = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
            PeftModel.Load(fresh, dir);
            AssertClose(trained, fresh.call(x), 0, layout);
        }
    }

    private static void RewriteKeys(string path, Func<string, string> rename)
    {
        Dictionary<string, Tensor> tensors;
        using (var file = SafetensorsFile.Open(path)) tensors = file.Keys.ToDictionary(rename, k => file.ReadTensor(k));
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    [Fact]
    public void Modules_to_save_skips_names_the_model_lacks_but_not_all_of_them()
    {
        using var peft = PeftModel.Create(new TinyMlp(), new LoraConfig { TargetModules = TargetModules.FromNames("fc_in"), ModulesToSave = ["head", "score"] });
        Assert.Contains("head.weight", peft.TrainableParameters().Select(t => t.Name));
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(new TinyMlp(), new LoraConfig { TargetModules = TargetModules.FromNames("fc_in"), ModulesToSave = ["classifier", "score"] }));
        Assert.Contains("'classifier' or 'score'", e.Message);
    }

    [Fact]
    public void PEFT_only_fields_pass_silently_when_off_or_inert_and_are_named_once_otherwise()
    {
        var warnings = new List<string>();
        AdapterConfigFile.Parse("""
            {"peft_type": "LORA", "target_modules": ["q"], "use_bdlora": null, "velora_config": null, "monteclora_config": null, "lora_ga_config": null,
             "use_qalora": false, "qalora_group_size": 32, "loftq_config": {}, "megatron_core": "megatron.core", "init_lora_weights": "gaussian",
             "eva_config": {"rho": 2}, "trainable_token_indices": [], "peft_version": "0.20.0", "future_switch": false}
            """, "cfg.json", warnings.Add);
        Assert.Empty(warnings);
        AdapterConfigFile.Parse("""
            {"peft_type": "LORA", "target_modules": ["q"], "velora_config": {"rank": 4}, "use_qalora": true, "init_lora_weights": "pissa", "future_option": 3}
            """, "cfg.json", warnings.Add);
        Assert.Equal(4, warnings.Count);
        foreach (var field in new[] { "velora_config", "use_qalora", "init_lora_weights", "future_option" })
            Assert.Single(warnings, w => w.Contains($"{field}") && w.StartsWith("cfg.json: ", StringComparison.Ordinal));
    }
}
