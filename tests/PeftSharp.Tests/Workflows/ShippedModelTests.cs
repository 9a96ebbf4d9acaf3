using PeftSharp.Data;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Workflows;

/// <summary>The shipped base model (assets/models/wordnet-gpt2): it loads, it is pretrained, and the README's C# example runs on it.</summary>
public class ShippedModelTests
{
    private static string ModelDirectory => Path.Combine(DemoWorkflow.Assets(), "models", "wordnet-gpt2");

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
        var modelFolder = ModelDirectory;
        // ---- the README's "From C#" snippet (checked verbatim below), with paths resolved ----
        using var model = PretrainedModelLoader.LoadCausalLM(modelFolder);
        var tokenizer = TokenizerLoader.Load(modelFolder);
        var config = PeftMethods.Get("dual-lora").ForBudget(8)!; // LoRA rank 8's budget: r1 = r2 = 4, α = 16 (or new DualLoraConfig { … })
        using var peft = PeftModel.Create(model.Module, config);
        Console.WriteLine(peft.TrainableParametersSummary());

        // Your own training loop: the same three calls train every method exactly as PeftSharp's Trainer does.
        const int steps = 20;
        peft.PrepareTraining(totalSteps: steps, learningRateWarmupSteps: 0); // run-dependent defaults (AdaLoRA/LoRA² schedule, Dual LoRA ramp)
        using var optimizer = new AdamW(peft.ParameterGroups(learningRate: 5e-3, weightDecay: 0));
        var ids = tensor(tokenizer.Encode("a small domestic animal that barks").Select(i => (long)i).ToArray()).unsqueeze(0);
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var loss = Losses.CausalLm(model.Forward(ids), ids) + peft.RegularizationLoss(); // AdaLoRA / LoRA² orthogonality; 0 for the rest
            losses.Add(loss.item<float>());
            loss.backward();
            optimizer.Step();
            peft.AfterOptimizerStep(); // rank allocation (AdaLoRA, LoRA²), Dual LoRA's warm-up ramp
            optimizer.ZeroGrad();
        }
        peft.Save(adapterDirectory);            // adapter_config.json + adapter_model.safetensors
        var merged = peft.MergeAndUnload(); // zero-overhead inference
        // ---- end of the snippet ----

        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:F3} → {losses[^1]:F3}");
        Assert.True(File.Exists(Path.Combine(adapterDirectory, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(adapterDirectory, "adapter_model.safetensors")));
        Assert.DoesNotContain(merged.named_parameters(), p => p.name.Contains("lora", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_readme_holds_the_snippet_this_test_runs()
    {
        static IEnumerable<string> Code(IEnumerable<string> lines) => lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal));
        var root = Path.GetDirectoryName(DemoWorkflow.Assets())!;
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var block = readme[(readme.IndexOf("## From C#", StringComparison.Ordinal))..];
        block = block[(block.IndexOf("```csharp", StringComparison.Ordinal) + 9)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var test = File.ReadAllText(Path.Combine(root, "tests", "PeftSharp.Tests", "Workflows", "ShippedModelTests.cs"));
        var snippet = test[(test.IndexOf("// ---- the README", StringComparison.Ordinal))..test.IndexOf("// ---- end of the snippet", StringComparison.Ordinal)];
        var expected = Code(block.Split('\n')).Where(l => !l.StartsWith("var modelFolder", StringComparison.Ordinal)).Select(l => l.Replace("\"my-adapter\"", "adapterDirectory"));
        var actual = Code(snippet.Split('\n').Skip(1)).Where(l => !l.StartsWith("var losses", StringComparison.Ordinal) && !l.StartsWith("losses.Add", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }
}
