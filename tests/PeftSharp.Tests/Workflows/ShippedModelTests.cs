using PeftSharp.Models;
using PeftSharp.Tokenization;
using PeftSharp.Tuners;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Workflows;

/// <summary>The shipped base model (assets/models/wordnet-gpt2): it loads, it is pretrained, and the README's C# example runs on it.</summary>
public class ShippedModelTests
{
    static string ModelDirectory => Path.Combine(DemoWorkflow.Assets(), "models", "wordnet-gpt2");

    [Fact]
    public void The_shipped_model_predicts_held_out_wordnet_text_far_better_than_chance()
    {
        using var model = PretrainedModelLoader.LoadCausalLM(ModelDirectory);
        var tokenizer = TokenizerLoader.Load(ModelDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Glosses of the test split (never seen in pretraining), packed as in pretraining: joined by <|endoftext|>, 128 tokens.
        var glosses = File.ReadLines(Path.Combine(DemoWorkflow.Assets(), "wordnet", "tasks", "wn-lexname", "test.jsonl")).Take(40)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("sentence").GetString()!);
        var ids = glosses.SelectMany(g => tokenizer.Encode(g).Append(tokenizer.EosTokenId!.Value)).Take(128).Select(i => (long)i).ToArray();
        var input = tensor(ids).unsqueeze(0);
        var logits = model.Forward(input);
        var loss = nn.functional.cross_entropy(logits[0, ..^1], input[0, 1..]).item<float>();
        // Chance is ln 4096 ≈ 8.3 nats per token; the model card reports 3.74 on the whole held-out corpus.
        Assert.True(loss < 5.0, $"held-out loss {loss:F3} nats/token");
    }

    [Fact]
    public void The_readme_csharp_example_runs()
    {
        var adapterDirectory = Directory.CreateTempSubdirectory("peft-readme-").FullName;
        // The README's "From C#" snippet, with the shipped model's path resolved and a check of what it produced.
        using var model = PretrainedModelLoader.LoadCausalLM(ModelDirectory);
        var config = new DualLoraConfig { R1 = 4, R2 = 4, LoraAlpha = 16, TargetModules = TargetModules.FromNames(["c_attn", "c_proj"]) };
        using var peft = PeftModel.Create(model.Module, config);
        Assert.Contains("trainable", peft.TrainableParametersSummary());
        peft.Save(adapterDirectory);
        var merged = peft.MergeAndUnload();

        Assert.True(File.Exists(Path.Combine(adapterDirectory, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(adapterDirectory, "adapter_model.safetensors")));
        Assert.DoesNotContain(merged.named_parameters(), p => p.name.Contains("lora", StringComparison.OrdinalIgnoreCase));
    }
}
