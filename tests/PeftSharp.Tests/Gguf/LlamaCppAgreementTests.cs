using PeftSharp.Tuners;
using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Workflows;
using Xunit.Abstractions;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// What PeftSharp exports runs the same in llama.cpp (LLamaSharp 0.30.0's CPU build): llama.cpp's tokenisation of sample
/// texts equals PeftSharp's, its logits equal PeftSharp's within the tolerance of its float32 kernels, and greedy
/// continuations of 20 tokens are identical. PeftSharp's side is the model with the adapter applied, not merged.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public class LlamaCppAgreementTests(ITestOutputHelper output)
{
    /// <summary>
    /// Largest logit difference allowed, on logits of magnitude up to ~20. Measured: 2.7e-3 on wordnet-gpt2 (llama.cpp
    /// evaluates GELU through an f16 table), ≤ 1e-4 on the LLaMA-family models.
    /// </summary>
    private const double Tolerance = 1e-2;

    internal static readonly string[] ByteLevelTexts =
    [
        "cat (noun): a small domesticated carnivorous mammal",
        "The quick brown fox — jumps over 1,234 lazy dogs!",
        "  leading spaces and\ttabs\nnewlines, don't we'll",
        "café naïve 日本語 😀 x²",
    ];

    internal static readonly string[] SentencePieceTexts =
    [
        "Hello world", "The quick brown fox jumps over the lazy dog.", "numbers 3.14159 and 2,048", "Café naïve résumé Zürich", "emoji 😀 here",
    ];

    private static string ShortRun(string method)
    {
        var data = Path.Combine(GgufTestModels.TempFolder("data"), "train.jsonl");
        File.WriteAllLines(data, File.ReadLines(Path.Combine(DemoWorkflow.Assets(), "wordnet", "tasks", "wn-define", "train.jsonl")).Take(12));
        var adapter = GgufTestModels.TempFolder(method);
        TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = GgufTestModels.ShippedGpt2, DataPath = data, OutputDirectory = adapter, Task = TaskSpec.CausalLm, MaxLength = 32,
            Generation = new GenerationOptions { MaxNewTokens = 4 },
            Adapter = MethodOptions.With(PeftMethods.Get(method).ForBudget(4)!, "lora_alpha", 16.0),
            Trainer = new TrainerOptions { OutputDirectory = adapter, LearningRate = 3e-2, Epochs = 1, BatchSize = 4, LoggingSteps = 100, Seed = 3 },
        });
        return adapter;
    }

    [Theory]
    [InlineData("lora")]
    [InlineData("dual-lora")]
    public void The_shipped_model_after_a_short_run_runs_the_same_in_llama_cpp(string method)
    {
        var adapter = ShortRun(method);
        Check(GgufTestModels.ShippedGpt2, adapter, ByteLevelTexts, adapterMustMatter: true);
    }

    [Fact]
    public void A_tiny_llama_with_grouped_query_attention_and_a_sentencepiece_tokenizer_runs_the_same_in_llama_cpp() =>
        Check(GgufTestModels.LlamaGqa(), null, SentencePieceTexts);

    [Fact]
    public void A_tiny_llama3_with_rope_scaling_a_tied_head_and_a_byte_level_tokenizer_runs_the_same_in_llama_cpp() =>
        Check(GgufTestModels.Llama3(), null, [.. ByteLevelTexts, "special <|eot_id|> inside"]);

    [Fact]
    public void A_tiny_qwen2_with_qkv_biases_runs_the_same_in_llama_cpp() =>
        Check(GgufTestModels.Qwen2(), null, ByteLevelTexts);

    private void Check(string model, string? adapter, string[] texts, bool adapterMustMatter = false)
    {
        var path = Path.Combine(GgufTestModels.TempFolder("export"), "model.gguf");
        ExportWorkflow.Model(model, adapter, path);
        using var cpp = LlamaCpp.Load(path);
        using var ours = new PeftSharpRun(model, adapter);
        double worst = 0;
        foreach (var text in texts)
        {
            var expected = ours.Tokenizer.Encode(text).ToArray();
            Assert.Equal(expected, cpp.Tokenize(text));
            double difference = PeftSharpRun.MaxDifference(ours.Logits(expected), cpp.Logits(expected));
            Assert.True(difference <= Tolerance, $"\"{text}\": logits differ by up to {difference:E2}");
            worst = Math.Max(worst, difference);
        }
        var prompt = ours.Tokenizer.Encode(texts[0]).ToArray();
        Assert.Equal(ours.Greedy(prompt, 20), cpp.Greedy(prompt, 20));
        output.WriteLine($"largest logit difference {worst:E2}");
        if (adapterMustMatter)
        {
            using var bare = new PeftSharpRun(model);
            Assert.True(PeftSharpRun.MaxDifference(bare.Logits(prompt), ours.Logits(prompt)) > 10 * Tolerance, "the adapter hardly changed the model; the comparison would not test it");
        }
    }
}

/// <summary>llama.cpp tests run one at a time: each uses one thread, and they stay out of each other's way.</summary>
[CollectionDefinition(Name)]
public class LlamaCppCollection
{
    public const string Name = "llama.cpp";
}
