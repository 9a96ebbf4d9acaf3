using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;

namespace PeftSharp.Tests.Tuners;

public class PeftModelTests
{
    private static TinyMlp Model(int seed = 1)
    { torch.manual_seed(seed); return new TinyMlp(); }

    [Fact]
    public void Target_list_matches_suffixes_and_freezes_the_rest()
    {
        var model = Model();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("c_proj") });
        Assert.Equal(new[] { "c_proj" }, peft.Layers.Keys);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "c_proj.adapters.default.lora_A.weight", "c_proj.adapters.default.lora_B.weight" }, trainable);
    }

    [Fact]
    public void Target_regex_must_match_the_whole_path()
    {
        var model = Model();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromPattern("(fc_in|head)") });
        Assert.Equal(new[] { "fc_in", "head" }, peft.Layers.Keys.OrderBy(k => k));
        Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(Model(), new LoraConfig { TargetModules = TargetModules.FromPattern("fc") }));
    }

    [Fact]
    public void All_linear_adapts_every_linear_layer_but_the_output_head()
    {
        torch.manual_seed(1);
        var model = new HeadModel();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.AllLinear });
        Assert.Equal(new[] { "body", "c_proj" }, peft.Layers.Keys.OrderBy(k => k));
    }

    [Fact]
    public void Target_that_matches_nothing_lists_the_linear_layers()
    {
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(Model(), new LoraConfig { TargetModules = TargetModules.FromNames("q_proj") }));
        Assert.Contains("q_proj", e.Message);
        Assert.Contains("c_proj", e.Message);
        Assert.Contains("fc_in", e.Message);
    }

    [Fact]
    public void Exclude_modules_wins_over_targets()
    {
        var peft = PeftModel.Create(Model(), new LoraConfig { TargetModules = TargetModules.AllLinear, ExcludeModules = TargetModules.FromNames("head") });
        Assert.Equal(new[] { "c_proj", "fc_in" }, peft.Layers.Keys.OrderBy(k => k));
    }

    [Fact]
    public void Trainable_summary_has_PEFTs_form()
    {
        var peft = PeftModel.Create(Model(), new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in") });
        // base: 6·5+5 + 5·4+4 + 4·3+3 = 74; LoRA on fc_in: 2·6 + 5·2 = 22
        Assert.Equal("trainable params: 22 || all params: 96 || trainable%: 22.9167", peft.TrainableParametersSummary());
    }

    [Fact]
    public void Modules_to_save_train_fully_and_disable_restores_the_original_head()
    {
        var model = Model();
        var x = Random(4, 6);
        var original = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in"), ModulesToSave = ["head"] });
        Assert.Contains(peft.TrainableParameters(), t => t.Name == "head.weight");
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.add_(0.3);
        var adapted = model.call(x).detach().clone();
        Assert.True((adapted - original).abs().max().item<double>() > 1e-3);
        using (peft.DisableAdapter()) AssertClose(original, model.call(x), 1e-12, "disabled = base model");
        AssertClose(adapted, model.call(x), 1e-12, "re-enabled");
    }

    [Fact]
    public void Bias_modes_select_which_biases_train()
    {
        var loraOnly = PeftModel.Create(Model(), new LoraConfig { TargetModules = TargetModules.FromNames("fc_in"), Bias = BiasMode.LoraOnly });
        Assert.Contains(loraOnly.TrainableParameters(), t => t.Name == "fc_in.base_layer.bias"); // PEFT's key for an adapted layer's bias
        Assert.DoesNotContain(loraOnly.TrainableParameters(), t => t.Name == "head.bias");
        var all = PeftModel.Create(Model(), new LoraConfig { TargetModules = TargetModules.FromNames("fc_in"), Bias = BiasMode.All });
        Assert.Equal(new[] { "c_proj.bias", "fc_in.base_layer.bias", "head.bias" }, all.TrainableParameters().Where(t => t.Role == ParameterRole.BiasOrNorm).Select(t => t.Name).OrderBy(n => n));
    }

    [Fact]
    public void Several_named_adapters_switch_and_delete()
    {
        var model = Model();
        var x = Random(3, 6);
        var baseOut = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in") });
        peft.AddAdapter("other", new LoraConfig { R = 3, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_();
        var first = model.call(x).detach().clone();
        peft.SetAdapter("other");
        Assert.All(peft.TrainableParameters(), t => Assert.True(t.Parameter.requires_grad));
        Assert.Equal(4, peft.TrainableParameters().Count); // lora_A and lora_B on two layers
        AssertClose(baseOut, model.call(x), 1e-12, "'other' still has B = 0");
        peft.SetAdapter("default");
        AssertClose(first, model.call(x), 1e-12, "back to the default adapter");
        peft.DeleteAdapter("other");
        Assert.Equal(new[] { "fc_in" }, peft.Layers.Keys);
        Assert.ThrowsAny<PeftSharpException>(() => peft.SetAdapter("other"));
    }

    [Fact]
    public void Merge_and_unload_returns_the_plain_model_with_merged_weights()
    {
        var model = Model();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_();
        var x = Random(3, 6);
        var adapted = model.call(x).detach().clone();
        var plain = peft.MergeAndUnload();
        Assert.IsType<TorchSharp.Modules.Linear>(((TinyMlp)plain).fc_in);
        Assert.IsType<PeftSharp.Models.Conv1D>(((TinyMlp)plain).c_proj);
        Assert.DoesNotContain(plain.named_parameters(), p => p.name.Contains("lora") || p.name.Contains("base_layer"));
        AssertClose(adapted, ((TinyMlp)plain).call(x), 1e-10);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("a\\b")]
    [InlineData("/tmp/x")]
    public void Adapter_names_cannot_escape_the_output_folder(string bad)
    {
        var config = new LoraConfig { TargetModules = TargetModules.FromNames("fc_in") };
        var peft = PeftModel.Create(Model(), config);
        var add = Assert.ThrowsAny<PeftSharpException>(() => peft.AddAdapter(bad, config));
        Assert.Contains($"invalid adapter name '{bad}'", add.Message);
        var create = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(Model(), config, bad));
        Assert.Contains($"'{bad}'", create.Message);

        // Through Save: a saved adapter loaded under the bad name is refused, and saving the model writes only inside its folder.
        var parent = Directory.CreateTempSubdirectory("peft-names-").FullName;
        var folder = Path.Combine(parent, "out");
        peft.Save(folder);
        Assert.Contains($"'{bad}'", Assert.ThrowsAny<PeftSharpException>(() => peft.LoadAdapter(folder, bad)).Message);
        // No adapter can have that name: saving under it is refused before anything is written.
        Assert.Contains($"'{bad}'", Assert.ThrowsAny<PeftSharpException>(() => AdapterFormat.SaveAdapter(peft, bad, folder)).Message);
        Assert.Equal(["out"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private sealed class HeadModel : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
    {
#pragma warning disable IDE1006
        public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> body = TorchSharp.torch.nn.Linear(4, 4);
        public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> c_proj = new PeftSharp.Models.Conv1D(4, 4);
        public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> lm_head = TorchSharp.torch.nn.Linear(4, 9);
#pragma warning restore IDE1006
        public HeadModel() : base(nameof(HeadModel)) => RegisterComponents();
        public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => lm_head.call(c_proj.call(body.call(x)));
    }
}

public class EffectiveRankTests
{
    [Fact]
    public void Effective_rank_is_the_numerical_rank_of_delta()
    {
        torch.manual_seed(2);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var lora = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        Assert.All(lora.EffectiveRanks(), r => Assert.Equal(0, r.Rank)); // B = 0
        using (torch.no_grad()) foreach (var t in lora.TrainableParameters()) t.Parameter.normal_();
        Assert.All(lora.EffectiveRanks(), r => Assert.Equal(2, r.Rank));

        torch.manual_seed(2);
        var dual = PeftModel.Create(new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8),
            new PeftSharp.Tuners.DualLora.DualLoraConfig { UpdateWarmupSteps = 0, R1 = 1, R2 = 1, InitStd = 1, TargetModules = TargetModules.FromNames("fc_in") });
        // Rank-1 factors: ReLU(b aᵀ) has rank ≤ 2 (rows with b_i > 0 are multiples of ReLU(a), the others of ReLU(−a)),
        // Sign(d cᵀ) = sign(d) sign(c)ᵀ has rank 1, and rank(X ⊙ Y) ≤ rank(X)·rank(Y) = 2.
        var delta = dual.DeltaWeights().Single().Delta;
        // matrix_rank default tolerance: σ_max · max(d, k) · eps(float64), with (d, k) = (10, 12).
        var singular = torch.linalg.svdvals(delta).data<double>().ToArray();
        Assert.True(singular.Count(v => v > 1e-9 * singular[0]) <= 2);
        Assert.Equal(singular.Count(v => v > singular[0] * 12 * 2.220446049250313e-16), dual.EffectiveRanks().Single().Rank);
    }
}
