using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tuners.RankAllocation;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

public class RankAllocationTests
{
    [Fact]
    public void Budget_schedule_follows_the_cubic_formula()
    {
        var s = new BudgetSchedule(InitialBudget: 120, TargetBudget: 40, Tinit: 10, Tfinal: 20, TotalStep: 100, DeltaT: 5);
        Assert.Equal((120, false), s.At(0));
        Assert.Equal((120, false), s.At(10));                    // t = tinit: still b0, no masking
        // midway t = 45: 1 − (45 − 10)/(100 − 20 − 10) = 0.5 → 40 + 80·0.125 = 50
        Assert.Equal((50, true), s.At(45));
        // t = 11: 1 − 1/70 → 40 + 80·(69/70)³ = 116.58… → 116, 11 % 5 ≠ 0 → no mask
        Assert.Equal((116, false), s.At(11));
        Assert.Equal((40, true), s.At(80));                      // t = T − tfinal: b_T
        Assert.Equal((40, true), s.At(81));
        Assert.Equal((40, true), s.At(100));                     // t = T
    }

    private static (TinyMlp model, PeftModel peft) MakeWide<T>(T config, int seed = 1) where T : AdapterConfig
    {
        torch.manual_seed(seed);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8, classes: 3);
        return (model, PeftModel.Create(model, config));
    }

    private static void Train(TinyMlp model, PeftModel peft, RankAllocator allocator, int steps, int inputSize = 12)
    {
        using var opt = torch.optim.SGD(peft.TrainableParameters().Select(t => t.Parameter), 0.05);
        for (int t = 0; t < steps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var x = Random(8, inputSize);
            var loss = model.call(x).pow(2).mean() + peft.RegularizationLoss();
            loss.backward();
            opt.step();
            allocator.Step(t);
            opt.zero_grad();
        }
    }

    [Theory]
    [InlineData("adalora")]
    [InlineData("lora2")]
    public void Masking_keeps_exactly_the_budget_active_across_layers(string method)
    {
        AdapterConfig config = method == "adalora"
            ? new AdaLoraConfig { InitR = 6, TargetR = 2, Tinit = 2, Tfinal = 3, DeltaT = 1, TotalStep = 12, TargetModules = TargetModules.FromNames("fc_in", "c_proj") }
            : new Lora2Config { K = 3, InitR = 6, TargetR = 2, Tinit = 2, Tfinal = 3, DeltaT = 1, TotalStep = 12, TargetModules = TargetModules.FromNames("fc_in", "c_proj") };
        var (model, peft) = MakeWide(config);
        var allocator = ((RankAllocator)peft.Schedule!);
        using var opt = torch.optim.SGD(peft.TrainableParameters().Select(t => t.Parameter), 0.05);
        for (int t = 0; t < 12; t++)
        {
            using var scope = torch.NewDisposeScope();
            (model.call(Random(8, 12)).pow(2).mean() + peft.RegularizationLoss()).backward();
            opt.step();
            allocator.Step(t);
            var (budget, _) = allocator.Schedule.At(t);
            if (t > 2) Assert.Equal(budget, allocator.ActiveTriplets);
            foreach (var layer in peft.Layers.Values)
            {
                var adaptive = (IRankAdaptive)layer["default"];
                var lambda = adaptive.Lambda.reshape(-1).data<double>().ToArray();
                for (int i = 0; i < lambda.Length; i++)
                    if (!adaptive.Mask[i]) Assert.Equal(0.0, lambda[i]);
            }
            opt.zero_grad();
        }
        Assert.True(allocator.Frozen);
        Assert.Equal(4, allocator.ActiveTriplets); // b_T = target_r × 2 layers
    }

    [Fact]
    public void Ties_are_broken_by_layer_order_then_index()
    {
        var (_, peft) = MakeWide(new AdaLoraConfig { InitR = 3, TargetR = 1, Tinit = 0, Tfinal = 1, DeltaT = 1, TotalStep = 4, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        var allocator = ((RankAllocator)peft.Schedule!);
        // No gradients at all: every importance is 0, a 6-way tie. Step 3 = T − tfinal forces b_T = 2.
        allocator.Step(3);
        Assert.Equal(2, allocator.ActiveTriplets);
        var masks = peft.Layers.Values.Select(l => ((IRankAdaptive)l["default"]).Mask).ToList();
        // Layers in injection order; the first four (layer 0: 0,1,2; layer 1: 0) are masked.
        Assert.Equal(new[] { false, false, false }, masks[0]);
        Assert.Equal(new[] { false, true, true }, masks[1]);
    }

    [Fact]
    public void The_least_important_triplets_are_the_ones_masked()
    {
        var (_, peft) = MakeWide(new AdaLoraConfig { InitR = 3, TargetR = 1, Tinit = 0, Tfinal = 1, DeltaT = 1, TotalStep = 4, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        // Only λ has a gradient (1 everywhere), so a triplet's importance grows with |λ|: layer 0 λ = [5, 1, 6], layer 1 λ = [2, 4, 3].
        var lambdas = new[] { new[] { 5.0, 1.0, 6.0 }, new[] { 2.0, 4.0, 3.0 } };
        foreach (var (layer, values) in peft.Layers.Values.Zip(lambdas))
        {
            var lambda = ((IRankAdaptive)layer["default"]).Lambda;
            using (torch.no_grad()) lambda.copy_(torch.tensor(values, dtype: ScalarType.Float64).reshape(lambda.shape));
            lambda.grad = torch.ones_like(lambda);
        }
        ((RankAllocator)peft.Schedule!).Step(2); // t = 2: scores, then keeps b(2) = ⌊2 + 4·(1/3)³⌋ = 2 of 6
        var masks = peft.Layers.Values.Select(l => ((IRankAdaptive)l["default"]).Mask).ToList();
        Assert.Equal(new[] { true, false, true }, masks[0]); // 5 and 6 kept
        Assert.Equal(new[] { false, false, false }, masks[1]);
    }

    [Fact]
    public void The_final_mask_at_T_minus_tfinal_uses_the_earlier_scores_only()
    {
        // PEFT's update_and_allocate and the LoRA² release skip the sensitivity update at t = T − tfinal: the final mask
        // comes from the averages of steps < T − tfinal. Here step 3 = T − tfinal brings gradients that, if scored,
        // would reverse the ranking; the final mask must still be the one step 2's scores give.
        var (_, peft) = MakeWide(new AdaLoraConfig { InitR = 3, TargetR = 1, Beta1 = 0.5, Beta2 = 0.5, Tinit = 0, Tfinal = 1, DeltaT = 1, TotalStep = 4, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        var allocator = (RankAllocator)peft.Schedule!;
        var lambdas = peft.Layers.Values.Select(l => ((IRankAdaptive)l["default"]).Lambda).ToList();
        void SetLambdas(double[][] values)
        {
            foreach (var (lambda, v) in lambdas.Zip(values))
            {
                using (torch.no_grad()) lambda.copy_(torch.tensor(v, dtype: ScalarType.Float64).reshape(lambda.shape));
                lambda.grad = torch.ones_like(lambda);
            }
        }
        SetLambdas([[5, 1, 6], [2, 4, 3]]);
        allocator.Step(2); // b(2) = 2: keeps λ = 6 and 5 (layer 0, indices 2 and 0)
        var afterStep2 = peft.Layers.Values.Select(l => ((IRankAdaptive)l["default"]).Mask.ToArray()).ToList();
        Assert.Equal(new[] { true, false, true }, afterStep2[0]);
        // The masked triplets regrow strongly and the kept ones collapse: scored at step 3, layer 0 index 1 and layer 1
        // index 0 would now lead (Ī = ½·Ī + ½·50 against ½·Ī + 0), so an update here would move the mask there.
        SetLambdas([[0, 50, 0], [50, 0, 0]]);
        allocator.Step(3);
        Assert.True(allocator.Frozen);
        var final = peft.Layers.Values.Select(l => ((IRankAdaptive)l["default"]).Mask).ToList();
        Assert.Equal(afterStep2[0], final[0]);
        Assert.Equal(afterStep2[1], final[1]);
    }

    [Fact]
    public void AdaLora_regulariser_equals_the_closed_form()
    {
        var (_, peft) = MakeWide(new AdaLoraConfig { InitR = 4, TargetR = 2, OrthRegWeight = 0.3, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        double expected = 0; int count = 0;
        foreach (var layer in peft.Layers.Values)
        {
            var p = layer["default"].named_parameters().ToDictionary(q => q.name, q => (Tensor)q.parameter);
            // PEFT: ‖A Aᵀ − I‖_F for lora_A (r×k) and ‖Bᵀ B − I‖_F for lora_B (d×r), averaged over all of them.
            foreach (var gram in new[] { p["lora_A"].matmul(p["lora_A"].t()), p["lora_B"].t().matmul(p["lora_B"]) })
            {
                expected += Math.Sqrt((gram - torch.eye(4, dtype: ScalarType.Float64)).pow(2).sum().item<double>());
                count++;
            }
        }
        Assert.Equal(4, count);
        Assert.Equal(0.3 * expected / count, peft.RegularizationLoss().item<double>(), 10);
    }

    [Fact]
    public void Importance_equals_a_hand_computation_on_a_toy_layer()
    {
        torch.manual_seed(3);
        var model = new TinyMlp(inFeatures: 2, hidden: 3, outFeatures: 2, classes: 2);
        var peft = PeftModel.Create(model, new AdaLoraConfig { InitR = 2, TargetR = 1, Beta1 = 0.5, Beta2 = 0.75, Tinit = 5, Tfinal = 1, TotalStep = 10, TargetModules = TargetModules.FromNames("fc_in") });
        var adapter = (AdaLoraLayer)peft.Layers["fc_in"]["default"];
        var p = adapter.named_parameters().ToDictionary(q => q.name, q => q.parameter);
        using (torch.no_grad())
        {
            p["lora_E"].copy_(torch.tensor(new[] { 2.0, -1.0 }, dtype: ScalarType.Float64).reshape(2, 1));
            p["lora_A"].copy_(torch.tensor(new[] { 1.0, 2.0, 0.5, -1.0 }, dtype: ScalarType.Float64).reshape(2, 2));
            p["lora_B"].copy_(torch.tensor(new[] { 1.0, 0.0, -2.0, 1.0, 3.0, 1.0 }, dtype: ScalarType.Float64).reshape(3, 2));
            p["lora_E"].grad = torch.tensor(new[] { 0.5, 4.0 }, dtype: ScalarType.Float64).reshape(2, 1);
            p["lora_A"].grad = torch.tensor(new[] { 1.0, 1.0, 2.0, 2.0 }, dtype: ScalarType.Float64).reshape(2, 2);
            p["lora_B"].grad = torch.tensor(new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 }, dtype: ScalarType.Float64).reshape(3, 2);
        }
        var allocator = ((RankAllocator)peft.Schedule!);
        allocator.Step(0); // one EMA update from zero: Ī = (1−β1)s = s/2, Ū = (1−β2)|s − Ī| = s/8, score = s²/16
        // s(E) = |[2·0.5, −1·4]| = [1, 4]               → scores [1/16, 1]
        // s(A) = [[1, 2], [1, 2]]   → row means of s²/16: [(1+4)/32, (1+4)/32] = [5/32, 5/32]
        // s(B) = [[1, 0], [2, 1], [3, 1]] → column means of s²/16: [(1+4+9)/48, (0+1+1)/48] = [14/48, 2/48]
        var expected = new[] { 1.0 / 16 + 5.0 / 32 + 14.0 / 48, 1.0 + 5.0 / 32 + 2.0 / 48 };
        var actual = allocator.TripletImportance("fc_in", adapter).data<double>().ToArray();
        Assert.Equal(expected[0], actual[0], 12);
        Assert.Equal(expected[1], actual[1], 12);
    }

    [Fact]
    public void Lora2_allocator_scores_only_lambda_A1_and_B2()
    {
        var linear = nn.Linear(768, 768);
        var layer = new LayerWithAdapters(linear);
        var config = new Lora2Config { K = 8, InitR = 12, TargetR = 4, TotalStep = 100 };
        layer.AddAdapter("default", config.CreateLayer(layer.Base, "q"));
        var adapter = layer["default"];
        long scored = ((IRankAdaptive)adapter).ScoredParameters.Sum(p => p.Parameter.numel());
        long total = adapter.TrainableParameterCount;
        Assert.Equal(12 + 8 * 12 + 12 * 8, scored);  // λ, A1, B2 = 204
        Assert.Equal(12_492, total);
        Assert.InRange(100.0 * scored / total, 1.5, 1.7); // ≈ 1.6 %: 12 288 of 12 492 are never scored

        var adaLayer = new LayerWithAdapters(nn.Linear(768, 768));
        adaLayer.AddAdapter("default", new AdaLoraConfig { InitR = 12, TargetR = 4 }.CreateLayer(adaLayer.Base, "q"));
        var ada = adaLayer["default"];
        Assert.Equal(ada.TrainableParameterCount, ((IRankAdaptive)ada).ScoredParameters.Sum(p => p.Parameter.numel())); // AdaLoRA scores everything
    }

    [Fact]
    public void Allocator_computes_sensitivity_for_the_scored_parameters_only()
    {
        var (model, peft) = MakeWide(new Lora2Config { K = 3, InitR = 4, TargetR = 2, TotalStep = 10, Tfinal = 2, TargetModules = TargetModules.FromNames("fc_in") });
        var allocator = ((RankAllocator)peft.Schedule!);
        Train(model, peft, allocator, 1);
        var state = allocator.SaveState();
        Assert.Equal(new[] { "fc_in.lora_A1.weight", "fc_in.lora_B2.weight", "fc_in.lora_lambda" },
            state.Tensors.Keys.Select(k => k[..k.LastIndexOf('.')]).Distinct().OrderBy(k => k, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Lora2OrthogonalMatrices.All, "P Q B1 A1 B2 A2")]
    [InlineData(Lora2OrthogonalMatrices.Products, "P Q")]
    [InlineData(Lora2OrthogonalMatrices.Factors, "B1 A1 B2 A2")]
    [InlineData(Lora2OrthogonalMatrices.QFactors, "B2 A2")]
    [InlineData(Lora2OrthogonalMatrices.PFactors, "B1 A1")]
    public void Regulariser_variants_equal_their_closed_forms(Lora2OrthogonalMatrices variant, string matrices)
    {
        var (_, peft) = MakeWide(new Lora2Config { K = 3, InitR = 4, TargetR = 2, OrthRegWeight = 0.3, OrthRegMatrices = variant, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.5); // far from orthonormal: every term counts
        var names = matrices.Split(' ');
        double expected = 0; int count = 0;
        foreach (var layer in peft.Layers.Values)
        {
            var a = (Lora2Layer)layer["default"];
            // d = 10 or 8, K = 3, r = 4, k = 12 or 10, each matrix pushed to orthonormality along its smaller side:
            // P (d×r) → PᵀP; Q (r×k) → QQᵀ; B1 (d×K) → B1ᵀB1; A1 (K×r), r > K → A1A1ᵀ; B2 (r×K) → B2ᵀB2; A2 (K×k) → A2A2ᵀ.
            var p = a.B1.matmul(a.A1); var q = a.B2.matmul(a.A2);
            var grams = new Dictionary<string, Tensor>
            {
                ["P"] = p.t().matmul(p), ["Q"] = q.matmul(q.t()), ["B1"] = a.B1.t().matmul(a.B1),
                ["A1"] = a.A1.matmul(a.A1.t()), ["B2"] = a.B2.t().matmul(a.B2), ["A2"] = a.A2.matmul(a.A2.t()),
            };
            foreach (var gram in names.Select(n => grams[n]))
            {
                var diff = gram - torch.eye(gram.shape[0], dtype: ScalarType.Float64);
                expected += Math.Sqrt(diff.pow(2).sum().item<double>());
                count++;
            }
        }
        Assert.Equal(2 * names.Length, count);
        Assert.Equal(0.3 * expected / count, peft.RegularizationLoss().item<double>(), 10);
    }

    [Fact]
    public void The_regulariser_variant_is_saved_and_loaded()
    {
        var config = new Lora2Config { K = 3, InitR = 4, OrthRegMatrices = Lora2OrthogonalMatrices.QFactors, TargetModules = TargetModules.FromNames("fc_in") };
        var json = AdapterConfigFile.ToJson(config);
        Assert.Contains("\"orth_reg_matrices\": \"q_factors\"", json);
        Assert.Equal(Lora2OrthogonalMatrices.QFactors, ((Lora2Config)AdapterConfigFile.Parse(json, "adapter_config.json")).OrthRegMatrices);
    }

    [Theory]
    [InlineData("adalora")]
    [InlineData("lora2")]
    public void Regulariser_gradients_match_finite_differences(string method)
    {
        AdapterConfig config = method == "adalora"
            ? new AdaLoraConfig { InitR = 3, TargetR = 2, OrthRegWeight = 0.5, TargetModules = TargetModules.FromNames("fc_in") }
            : new Lora2Config { K = 2, InitR = 3, TargetR = 2, OrthRegWeight = 0.5, TargetModules = TargetModules.FromNames("fc_in") };
        var (_, peft) = MakeWide(config);
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.5);
        peft.RegularizationLoss().backward();
        foreach (var t in peft.TrainableParameters().Where(t => t.Role != ParameterRole.Scale))
            AssertClose(FiniteDifferenceGradient(t.Parameter, () => peft.RegularizationLoss().item<double>()), t.Parameter.grad!, 1e-6, t.Name);
    }

    [Theory]
    [InlineData("adalora")]
    [InlineData("lora2")]
    public void Forward_and_merge_equal_the_closed_form(string method)
    {
        AdapterConfig config = method == "adalora"
            ? new AdaLoraConfig { InitR = 4, TargetR = 2, LoraAlpha = 8, TargetModules = TargetModules.FromNames("fc_in", "c_proj") }
            : new Lora2Config { K = 3, InitR = 4, TargetR = 2, LoraAlpha = 8, TargetModules = TargetModules.FromNames("fc_in", "c_proj") };
        var (model, peft) = MakeWide(config);
        var x = Random(5, 12);
        var before = model.call(x).detach().clone();
        Assert.True(peft.DeltaWeights().All(d => d.Delta.abs().max().item<double>() == 0), "λ = 0 at init: ΔW = 0");
        AssertClose(before, model.call(x), 0);
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.4);
        var layer = peft.Layers["fc_in"];
        var named = layer["default"].named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var delta = method == "adalora"
            ? named["lora_B"].matmul(torch.diag(named["lora_E"].reshape(-1))).matmul(named["lora_A"]) * (8.0 / 4)
            : named["lora_B1.weight"].matmul(named["lora_A1.weight"]).matmul(torch.diag(named["lora_lambda"])).matmul(named["lora_B2.weight"]).matmul(named["lora_A2.weight"]) * (8.0 / 4);
        AssertClose(delta, layer.DeltaWeight("default"), 1e-12, "ΔW");
        var h = Random(3, 12);
        AssertClose(h.matmul((layer.Base.WeightDk + delta).t()) + layer.Base.Bias!, layer.call(h), 1e-12, "forward");
        var unmerged = model.call(x).detach().clone();
        peft.Merge();
        AssertClose(unmerged, model.call(x), 1e-10, "merged");
        peft.Unmerge();
        AssertClose(unmerged, model.call(x), 1e-10, "unmerged again");
    }

    [Fact]
    public void Invalid_configs_name_the_field()
    {
        Assert.Contains("target_r", Assert.ThrowsAny<PeftSharpException>(() => new AdaLoraConfig { InitR = 4, TargetR = 6 }.Validate()).Message);
        Assert.Contains("total_step", Assert.ThrowsAny<PeftSharpException>(() => new AdaLoraConfig { Tinit = 50, Tfinal = 50, TotalStep = 100 }.Validate()).Message);
        Assert.Contains("'k'", Assert.ThrowsAny<PeftSharpException>(() => new Lora2Config { K = 0 }.Validate()).Message);
        Assert.Contains("init_r", Assert.ThrowsAny<PeftSharpException>(() => new Lora2Config { InitR = 0 }.Validate()).Message);
        Assert.Contains("orth_reg_weight", Assert.ThrowsAny<PeftSharpException>(() => new AdaLoraConfig { OrthRegWeight = -1 }.Validate()).Message);
        Assert.Contains("lora_dropout", Assert.ThrowsAny<PeftSharpException>(() => new Lora2Config { LoraDropout = 1.5 }.Validate()).Message);
    }
}
