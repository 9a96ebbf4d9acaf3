using PeftSharp.Tuners;
using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Models;
using PeftSharp.Training;
using PeftSharp.Workflows;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// <c>--model FILE.gguf</c> (or a folder holding one .gguf) works wherever a model folder does: train, eval, generate and
/// merge (to a HF folder that loads and computes what the adapter on the GGUF base computes); and the user's mistakes
/// give one line naming the file.
/// </summary>
public class GgufModelWorkflowTests
{
    private static readonly string[] Rows =
    [
        """{"prompt": "Hello", "completion": " world"}""", """{"prompt": "The quick", "completion": " brown fox"}""",
        """{"prompt": "numbers", "completion": " 3.14159"}""", """{"prompt": "Café", "completion": " naïve"}""",
    ];

    private static string GgufOfTinyLlama()
    {
        var path = Path.Combine(GgufTestModels.TempFolder("base"), "tiny-llama.gguf");
        ExportWorkflow.Model(GgufTestModels.LlamaGqa(), null, path);
        return path;
    }

    [Fact]
    public void Train_eval_generate_and_merge_take_a_gguf_model()
    {
        var gguf = GgufOfTinyLlama();
        var data = Path.Combine(GgufTestModels.TempFolder("data"), "data.jsonl");
        File.WriteAllLines(data, Rows);
        var adapter = GgufTestModels.TempFolder("adapter");
        var run = TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = gguf, DataPath = data, EvalDataPath = data, OutputDirectory = adapter, Task = TaskSpec.CausalLm,
            Generation = new GenerationOptions { MaxNewTokens = 3 },
            Adapter = PeftMethods.Get("lora").ForBudget(2),
            Trainer = new TrainerOptions { OutputDirectory = adapter, LearningRate = 1e-2, Epochs = 2, BatchSize = 2, LoggingSteps = 10, Seed = 1 },
        });
        Assert.True(File.Exists(Path.Combine(adapter, "adapter_model.safetensors")));

        var eval = EvalWorkflow.Run(new EvalSettings { ModelDirectory = gguf, AdapterDirectory = adapter, DataPath = data, Task = TaskSpec.CausalLm, Generation = new GenerationOptions { MaxNewTokens = 3 } });
        Assert.Equal(run.EvalMetrics!["loss"], eval.Metrics["loss"], 5);
        Assert.Single(GenerateWorkflow.Run(gguf, adapter, ["Hello"], new GenerationOptions { MaxNewTokens = 3 }));

        var merged = GgufTestModels.TempFolder("merged");
        MergeWorkflow.Run(gguf, adapter, merged);
        Assert.True(File.Exists(Path.Combine(merged, "tokenizer.model")));
        using var onGguf = new PeftSharpRun(gguf, adapter);
        using var fromFolder = new PeftSharpRun(merged);
        var tokens = onGguf.Tokenizer.Encode("The quick brown fox").ToArray();
        Assert.Equal(tokens, fromFolder.Tokenizer.Encode("The quick brown fox"));
        Assert.True(PeftSharpRun.MaxDifference(onGguf.Logits(tokens), fromFolder.Logits(tokens)) < 1e-4);
    }

    [Fact]
    public void A_folder_holding_one_gguf_file_is_that_model_and_one_holding_two_is_refused()
    {
        var gguf = GgufOfTinyLlama();
        var folder = Path.GetDirectoryName(gguf)!;
        using (var model = PretrainedModelLoader.LoadCausalLM(folder)) Assert.Equal("llama", model.ModelType);
        File.Copy(gguf, Path.Combine(folder, "second.gguf"));
        var error = Assert.Throws<PeftSharpException>(() => PretrainedModelLoader.LoadConfig(folder));
        Assert.Contains("holds 2 .gguf files", error.Message);
    }

    [Fact]
    public void Export_refuses_to_write_over_or_into_its_inputs()
    {
        var gguf = GgufOfTinyLlama();
        var before = File.ReadAllBytes(gguf);
        Assert.Contains("is the model", Assert.Throws<InvalidOptionException>(() => ExportWorkflow.Model(gguf, null, gguf)).Message);
        // Compared by file identity: a symbolic link to the input, or a path through "..", is the input too.
        var link = Path.Combine(Path.GetDirectoryName(gguf)!, "link.gguf");
        File.CreateSymbolicLink(link, gguf);
        Assert.Contains("is the model", Assert.Throws<InvalidOptionException>(() => ExportWorkflow.Model(gguf, null, link)).Message);
        var folder = GgufTestModels.LlamaGqa();
        var dotted = Path.Combine(folder, "..", Path.GetFileName(folder), "x.gguf");
        Assert.Contains("lies inside the model", Assert.Throws<InvalidOptionException>(() => ExportWorkflow.Model(folder, null, dotted)).Message);
        Assert.Equal(before, File.ReadAllBytes(gguf));
        Assert.False(File.Exists(Path.Combine(folder, "x.gguf")));
    }

    [Fact]
    public void Models_llama_cpp_cannot_run_as_peftsharp_does_are_refused_naming_the_field()
    {
        var folder = GgufTestModels.TempFolder("gelu");
        File.WriteAllText(Path.Combine(folder, "config.json"), """
            {"model_type": "gpt2", "vocab_size": 4096, "n_positions": 16, "n_embd": 32, "n_layer": 1, "n_head": 2, "activation_function": "gelu"}
            """);
        using (var model = PretrainedModelLoader.Create(ModelConfig.Load(Path.Combine(folder, "config.json")), seed: 1)) PretrainedModelLoader.Save(model, folder);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(GgufTestModels.ShippedGpt2, file), Path.Combine(folder, file));
        var error = Assert.Throws<PeftSharpException>(() => ExportWorkflow.Model(folder, null, Path.Combine(GgufTestModels.TempFolder("out"), "m.gguf")));
        Assert.Contains("activation_function 'gelu'", error.Message);
    }
}
