using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tuners.RankAllocation;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;

namespace PeftSharp.Tests.Tuners;

public class AdapterFormatTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("peft-adapter-").FullName;
    private static readonly TargetModules Targets = TargetModules.FromNames("fc_in", "c_proj");

    public static TheoryData<string> Methods => new() { "lora", "dora", "dual-lora", "adalora", "lora2" };

    private static AdapterConfig ConfigFor(string method) => method switch
    {
        "lora" => new LoraConfig { R = 2, LoraAlpha = 4, TargetModules = Targets, ModulesToSave = ["head"] },
        "dora" => new LoraConfig { R = 2, UseDora = true, TargetModules = Targets, Bias = BiasMode.LoraOnly },
        "dual-lora" => new DualLoraConfig { UpdateWarmupSteps = 0, R1 = 2, R2 = 3, InitStd = 0.3, TargetModules = Targets },
        "adalora" => new AdaLoraConfig { InitR = 4, TargetR = 2, Tinit = 0, Tfinal = 1, TotalStep = 4, TargetModules = Targets },
        "lora2" => new Lora2Config { K = 3, InitR = 4, TargetR = 2, Tinit = 0, Tfinal = 1, TotalStep = 4, TargetModules = Targets },
        _ => throw new ArgumentException(method),
    };

    /// <summary>A trained-looking adapter: random parameters, and for rank-adaptive methods a pruned mask.</summary>
    private static (TinyMlp model, PeftModel peft) Trained(string method, int seed = 7)
    {
        torch.manual_seed(seed);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var peft = PeftModel.Create(model, ConfigFor(method));
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.3);
        if (peft.ActiveConfig is RankAdaptiveConfig)
        {
            var allocator = ((RankAllocator)peft.Schedule!);
            model.call(Random(4, 12)).pow(2).sum().backward();
            allocator.Step(0);
            allocator.Step(3); // T − tfinal: prune to b_T = 4 of 8
            Assert.Equal(4, allocator.ActiveTriplets);
        }
        return (model, peft);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Save_then_load_reproduces_the_function_exactly(string method)
    {
        var (model, peft) = Trained(method);
        var x = Random(5, 12);
        var expected = model.call(x).detach().clone();
        var dir = TempDir();
        peft.Save(dir);

        torch.manual_seed(7); // same base weights, fresh adapter values
        var fresh = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var loaded = PeftModel.Load(fresh, dir);
        // Bit-exact, except AdaLoRA: its file drops the pruned triplets, so the sum over r has fewer (zero) terms.
        AssertClose(expected, fresh.call(x), method == "adalora" ? 1e-12 : 0, "loaded model output");
        foreach (var (name, saved) in AdapterFormat.AdapterTensors(peft, "default"))
            AssertClose(saved, AdapterFormat.AdapterTensors(loaded, "default")[name], 0, name);
        Assert.All(fresh.parameters(), p => Assert.False(p.requires_grad));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Adapter_file_uses_PEFT_keys_and_a_sorted_indented_config(string method)
    {
        var (_, peft) = Trained(method);
        var dir = TempDir();
        peft.Save(dir);
        var configText = File.ReadAllText(Path.Combine(dir, "adapter_config.json"));
        var json = JsonNode.Parse(configText)!.AsObject();
        var keys = json.Select(p => p.Key).ToList();
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), keys);
        Assert.Contains("\n  \"", configText);
        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.All(file.Keys, k => Assert.StartsWith("base_model.model.", k));
        var expected = method switch
        {
            "lora" => new[] { "fc_in.lora_A.weight", "fc_in.lora_B.weight", "head.weight", "head.bias" },
            "dora" => ["fc_in.lora_A.weight", "fc_in.lora_B.weight", "fc_in.lora_magnitude_vector", "fc_in.base_layer.bias"],
            "dual-lora" => ["fc_in.lora_A.weight", "fc_in.lora_B.weight", "fc_in.lora_C.weight", "fc_in.lora_D.weight"],
            "adalora" => ["fc_in.lora_A", "fc_in.lora_E", "fc_in.lora_B"],
            _ => ["fc_in.lora_B1.weight", "fc_in.lora_A1.weight", "fc_in.lora_lambda", "fc_in.lora_B2.weight", "fc_in.lora_A2.weight"],
        };
        foreach (var key in expected) Assert.Contains("base_model.model." + key, file.Keys);
        Assert.Equal(method is "dual-lora" ? "DUAL_LORA" : method is "adalora" ? "ADALORA" : method is "lora2" ? "LORA2" : "LORA", json["peft_type"]!.GetValue<string>());
        Assert.True(json["fan_in_fan_out"]!.GetValue<bool>()); // c_proj is a Conv1D
    }

    [Fact]
    public void AdaLoRA_is_saved_trimmed_to_the_kept_ranks_with_a_rank_pattern()
    {
        var (_, peft) = Trained("adalora");
        var dir = TempDir();
        peft.Save(dir);
        var pattern = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!["rank_pattern"]!.AsObject();
        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        foreach (var path in new[] { "fc_in", "c_proj" })
        {
            var kept = pattern[$"{path}.lora_E"]!.AsArray().Count(v => v!.GetValue<bool>());
            Assert.Equal(4, pattern[$"{path}.lora_E"]!.AsArray().Count);
            Assert.Equal(new long[] { kept, 1 }, file.GetInfo($"base_model.model.{path}.lora_E").Shape);
            Assert.Equal(kept, file.GetInfo($"base_model.model.{path}.lora_A").Shape[0]);
            Assert.Equal(kept, file.GetInfo($"base_model.model.{path}.lora_B").Shape[1]);
        }
    }

    [Fact]
    public void LoRA2_saves_masked_lambda_as_zero_and_restores_the_mask()
    {
        var (_, peft) = Trained("lora2");
        // Between mask events masked λ stay trainable and may regrow (docs/methods.md#masking): make every masked λ non-zero.
        foreach (var layer in peft.Layers.Values)
        {
            var adaptive = (IRankAdaptive)layer["default"];
            Assert.Contains(false, adaptive.Mask);
            using (torch.no_grad())
                for (int i = 0; i < adaptive.Mask.Length; i++) if (!adaptive.Mask[i]) adaptive.Lambda[i].fill_(0.5);
        }
        var dir = TempDir();
        peft.Save(dir);
        using (var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors")))
            foreach (var (path, layer) in peft.Layers)
            {
                var saved = file.ReadTensor($"base_model.model.{path}.lora_lambda").to_type(torch.ScalarType.Float64).data<double>().ToArray();
                var mask = ((IRankAdaptive)layer["default"]).Mask;
                for (int i = 0; i < saved.Length; i++) if (!mask[i]) Assert.Equal(0.0, saved[i]);
                Assert.Contains(saved, v => v != 0);
            }
        torch.manual_seed(7);
        var loaded = PeftModel.Load(new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8), dir);
        foreach (var (path, layer) in peft.Layers)
        {
            var original = (IRankAdaptive)layer["default"];
            var restored = (IRankAdaptive)loaded.Layers[path]["default"];
            Assert.Equal(original.Mask, restored.Mask);
            var lambda = restored.Lambda.data<double>().ToArray();
            for (int i = 0; i < lambda.Length; i++) if (!restored.Mask[i]) Assert.Equal(0.0, lambda[i]);
        }
    }

    [Fact]
    public void Non_default_adapters_are_saved_in_a_subfolder()
    {
        var (_, peft) = Trained("lora");
        peft.AddAdapter("second", new LoraConfig { R = 3, TargetModules = TargetModules.FromNames("fc_in") });
        var dir = TempDir();
        peft.Save(dir);
        Assert.True(File.Exists(Path.Combine(dir, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(dir, "second", "adapter_model.safetensors")));
        var loaded = PeftModel.Load(new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8), dir);
        loaded.LoadAdapter(Path.Combine(dir, "second"), "second");
        Assert.Equal(new[] { "default", "second" }, loaded.Configs.Keys.OrderBy(k => k));
    }

    [Fact]
    public void Adapter_for_another_base_names_the_mismatched_tensor()
    {
        var (_, peft) = Trained("lora");
        var dir = TempDir();
        peft.Save(dir);
        var wider = new TinyMlp(inFeatures: 16, hidden: 10, outFeatures: 8);
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Load(wider, dir));
        Assert.Contains("base_model.model.fc_in.lora_A.weight", e.Message);
        Assert.Contains("[2, 12]", e.Message);
    }

    [Fact]
    public void Unknown_config_keys_warn_and_unknown_types_fail()
    {
        var warnings = new List<string>();
        var config = AdapterConfigFile.Parse("""{"peft_type": "LORA", "r": 4, "target_modules": ["q"], "future_option": 1, "revision": null}""", "cfg.json", warnings.Add);
        Assert.Equal(4, ((LoraConfig)config).R);
        Assert.Single(warnings);
        Assert.Contains("future_option", warnings[0]);
        var e = Assert.ThrowsAny<PeftSharpException>(() => AdapterConfigFile.Parse("""{"peft_type": "PROMPT_TUNING"}""", "cfg.json"));
        Assert.Contains("PROMPT_TUNING", e.Message);
        Assert.Contains("LORA", e.Message);
        Assert.Contains("'r'", Assert.ThrowsAny<PeftSharpException>(() => AdapterConfigFile.Parse("""{"peft_type": "LORA", "r": "eight", "target_modules": ["q"]}""", "cfg.json")).Message);
        Assert.Contains("cfg.json", Assert.ThrowsAny<PeftSharpException>(() => AdapterConfigFile.Parse("{not json", "cfg.json")).Message);
    }

    [Fact]
    public void Config_round_trips_every_field()
    {
        var original = new DualLoraConfig { R1 = 3, R2 = 5, LoraAlpha = 7, UpdateWarmupSteps = 9, InitStd = 0.05, MagnitudeActivation = MagnitudeActivation.Sigmoid, SignMode = SignMode.Xnor, LoraDropout = 0.1, TargetModules = TargetModules.FromPattern(".*attn.*"), ModulesToSave = ["score"] };
        var parsed = (DualLoraConfig)AdapterConfigFile.Parse(AdapterConfigFile.ToJson(original), "x");
        Assert.Equal(original with { TargetModules = parsed.TargetModules, ModulesToSave = parsed.ModulesToSave }, parsed);
        Assert.Equal(".*attn.*", parsed.TargetModules!.Pattern);
        Assert.Equal(["score"], parsed.ModulesToSave!);
    }
}
