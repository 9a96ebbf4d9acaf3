using System.Text.Json;
using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>Reads the golden files made by tools/golden/models/make_model_fixtures.py.</summary>
internal static class ModelFixtures
{
    public static readonly string[] CausalCases = ["gpt2_original", "gpt2_prefixed", "gpt2_prefixed_lm_head", "llama_gqa", "llama3_tied", "qwen2_bf16", "mistral_sharded"];

    public static TheoryData<string> Causal => new(CausalCases);

    public static ICausalLanguageModel LoadCausal(string name, List<string>? warnings = null) =>
        PretrainedModelLoader.LoadCausalLM(Folder(name), warn: warnings is null ? null : warnings.Add);

    public static ISequenceClassificationModel LoadClassifier(string name, List<string>? warnings = null) =>
        PretrainedModelLoader.LoadSequenceClassifier(Folder(name), warn: warnings is null ? null : warnings.Add);

    public static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "models", name);

    public static JsonElement Expected(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "expected.json"))).RootElement;

    public static long[][] Ints2D(JsonElement e) =>
        e.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static Tensor Tensor2D(JsonElement e)
    {
        var rows = Ints2D(e);
        return torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
    }

    /// <summary>Largest |actual − expected| over the entries where <paramref name="use"/> is true.</summary>
    public static double MaxAbsDifference(float[] actual, float[] expected, Func<int, bool>? use = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
            if (use is null || use(i)) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return max;
    }
}
