using PeftSharp.Models;
using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Workflows;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// An adapter exported with <c>--format gguf-lora</c> and applied by llama.cpp at run time on the exported base model
/// gives the logits of PeftSharp's merged export run by llama.cpp (and of PeftSharp itself); methods a llama.cpp LoRA cannot
/// hold are refused with the way out.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public class LlamaCppLoraTests(ITestOutputHelper output)
{
    /// <summary>Measured: ≤ 4e-3 between the two llama.cpp runs on wordnet-gpt2, ≤ 2e-5 on the tiny LLaMA.</summary>
    private const double Tolerance = 1e-2;

    /// <summary>A saved adapter of <paramref name="config"/> on <paramref name="model"/> with every factor drawn at random (so ΔW ≠ 0).</summary>
    private static string RandomAdapter(string model, AdapterConfig config)
    {
        var folder = GgufTestModels.TempFolder("adapter");
        using var lm = PretrainedModelLoader.LoadCausalLM(model);
        using var peft = PeftModel.Create(lm.Module, config with { BaseModelNameOrPath = Path.GetFullPath(model), TaskType = "CAUSAL_LM" });
        manual_seed(11);
        using (no_grad())
            foreach (var p in peft.TrainableParameters()) p.Parameter.normal_(0, 0.2);
        peft.OnTrainingFinished();
        peft.Save(folder);
        return folder;
    }

    public static TheoryData<string, string> Adapters => new()
    {
        { "gpt2", "lora" }, { "llama", "lora" }, { "llama", "rslora-rank-pattern" }, { "llama", "adalora" },
    };

    private static (string Model, AdapterConfig Config, string[] Texts) Case(string architecture, string method)
    {
        string model = architecture == "gpt2" ? GgufTestModels.ShippedGpt2 : GgufTestModels.LlamaGqa();
        var texts = architecture == "gpt2" ? LlamaCppAgreementTests.ByteLevelTexts : LlamaCppAgreementTests.SentencePieceTexts;
        var targets = architecture == "gpt2" ? TargetModules.FromNames("c_attn", "c_proj", "c_fc") : TargetModules.AllLinear;
        AdapterConfig config = method switch
        {
            "lora" => new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = targets },
            "rslora-rank-pattern" => new LoraConfig { R = 4, LoraAlpha = 8, UseRslora = true, TargetModules = targets, RankPattern = new Dictionary<string, int> { ["q_proj"] = 2 } },
            _ => new AdaLoraConfig { InitR = 4, TargetR = 2, LoraAlpha = 8, TotalStep = 10, Tinit = 1, Tfinal = 1, TargetModules = targets },
        };
        return (model, config, texts);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public void A_lora_adapter_applied_by_llama_cpp_equals_the_merged_export(string architecture, string method)
    {
        var (model, config, texts) = Case(architecture, method);
        var adapter = RandomAdapter(model, config);
        var folder = GgufTestModels.TempFolder("lora-export");
        string basePath = Path.Combine(folder, "base.gguf"), loraPath = Path.Combine(folder, "adapter.gguf"), mergedPath = Path.Combine(folder, "merged.gguf");
        ExportWorkflow.Model(model, null, basePath);
        ExportWorkflow.Lora(model, adapter, loraPath);
        ExportWorkflow.Model(model, adapter, mergedPath);

        using var withLora = LlamaCpp.Load(basePath, lora: loraPath);
        using var merged = LlamaCpp.Load(mergedPath);
        using var bare = LlamaCpp.Load(basePath);
        using var ours = new PeftSharpRun(model, adapter);
        double worst = 0;
        foreach (var text in texts)
        {
            var tokens = ours.Tokenizer.Encode(text).ToArray();
            var applied = withLora.Logits(tokens);
            double difference = PeftSharpRun.MaxDifference(applied, merged.Logits(tokens));
            Assert.True(difference <= Tolerance, $"\"{text}\": llama.cpp with the LoRA and the merged export differ by up to {difference:E2}");
            Assert.True(PeftSharpRun.MaxDifference(applied, ours.Logits(tokens)) <= Tolerance, $"\"{text}\": llama.cpp with the LoRA differs from PeftSharp");
            Assert.True(PeftSharpRun.MaxDifference(applied, bare.Logits(tokens)) > 10 * Tolerance, "the adapter hardly changes the model; the comparison would not test it");
            worst = Math.Max(worst, difference);
        }
        output.WriteLine($"largest logit difference {worst:E2}");
    }

    [Fact]
    public void Methods_that_are_not_a_plain_low_rank_update_are_refused_with_the_way_out()
    {
        var model = GgufTestModels.LlamaGqa();
        foreach (var config in new AdapterConfig[]
                 {
                     new LoraConfig { R = 2, LoraAlpha = 4, UseDora = true, TargetModules = TargetModules.FromNames("q_proj") },
                     new DualLoraConfig { R1 = 2, R2 = 2, LoraAlpha = 4, TargetModules = TargetModules.FromNames("q_proj") },
                 })
        {
            var adapter = RandomAdapter(model, config);
            var error = Assert.Throws<PeftSharpException>(() => ExportWorkflow.Lora(model, adapter, Path.Combine(GgufTestModels.TempFolder("refused"), "a.gguf")));
            Assert.Contains("--format gguf", error.Message);
        }
    }
}
