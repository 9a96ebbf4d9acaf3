using PeftSharp.IO;
using PeftSharp.IO.Gguf;
using PeftSharp.Models;
using PeftSharp.Models.Gguf;
using PeftSharp.Tokenization;
using PeftSharp.Tokenization.Gguf;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>
/// <c>peft export</c>: a model (with an adapter merged, any method) as a complete llama.cpp GGUF model with its tokenizer
/// embedded, or a LoRA adapter as a llama.cpp LoRA adapter file. Only the output file is written, atomically.
/// </summary>
public static class ExportWorkflow
{
    /// <summary>The element types <c>--type</c> accepts: 2-D weights are stored so, norms and biases always in f32.</summary>
    public static IReadOnlyList<string> Types { get; } = ["f32", "f16", "bf16", "q8_0"];

    /// <summary>
    /// Writes <paramref name="model"/> (a HF folder or a GGUF file) with <paramref name="adapter"/> merged, if given, to
    /// <paramref name="output"/> as a GGUF model of architecture gpt2, llama or qwen2 whose 2-D weights have <paramref name="type"/>.
    /// </summary>
    public static void Model(string model, string? adapter, string output, string type = "f32", Action<string>? warn = null)
    {
        warn ??= _ => { };
        var weightType = ParseType(type);
        RefuseOverwritingInputs(output, model, adapter);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(model, adapter, null, ScalarType.Float32, CPU, warn);
        if (session.Model is not ICausalLanguageModel)
            throw new PeftSharpException($"{adapter ?? model}: a sequence classifier cannot be exported to GGUF; llama.cpp runs causal language models");
        using (no_grad()) session.Peft?.MergeAndUnload();
        var config = session.Model.Config;
        var architecture = GgufArchitecture.For(config, model);
        architecture.CheckExportable(config, model, warn);

        var writer = Header(architecture, model, "model", weightType);
        foreach (var entry in architecture.HyperParameters(config)) writer.Add(entry.Key, entry.Value);
        foreach (var entry in Vocabulary(model, config).Metadata()) writer.Add(entry.Key, entry.Value);
        var parameters = session.Model.Module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var fallbacks = new List<string>();
        foreach (var map in architecture.Tensors(config))
        {
            var parameter = parameters[map.ParameterName];
            var shape = map.GgufShape(parameter.shape);
            var stored = StoredType(shape, weightType);
            if (stored != weightType && shape.Length == 2) fallbacks.Add(map.GgufName);
            writer.AddTensor(map.GgufName, shape, stored, () => map.ToGguf(parameter));
        }
        foreach (var (name, values) in architecture.ExtraTensors(config))
            writer.AddTensor(name, [values.Length], GgufTensorType.F32, () => tensor(values));
        if (fallbacks.Count > 0)
            warn($"{model}: {fallbacks.Count} weight(s) have rows that are not a multiple of 32 and are stored as f32: {string.Join(", ", fallbacks.Take(5))}{(fallbacks.Count > 5 ? " …" : "")}");
        writer.Write(output);
    }

    /// <summary>
    /// Writes <paramref name="adapter"/> (LoRA, rsLoRA, LoRA+ or AdaLoRA) as a llama.cpp LoRA adapter for the GGUF export of
    /// <paramref name="model"/>: per adapted weight W, <c>W.lora_a</c> = A (r, in) and <c>W.lora_b</c> = s·B (out, r) with the
    /// method's scale s folded in (AdaLoRA: A·diag(λ)), in GGUF's layout (LLaMA's q/k rows reordered as their weights are).
    /// <c>adapter.lora.alpha</c> is the common rank, so that llama.cpp's alpha / rank is 1.
    /// </summary>
    public static void Lora(string model, string adapter, string output, string type = "f32", Action<string>? warn = null)
    {
        warn ??= _ => { };
        var weightType = ParseType(type);
        if (weightType == GgufTensorType.Q8_0) throw new PeftSharpException("--type q8_0 is for models; a LoRA adapter is written as f32, f16 or bf16");
        RefuseOverwritingInputs(output, model, adapter);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(model, adapter, null, ScalarType.Float32, CPU, warn);
        var peft = session.Peft!;
        var config = peft.ActiveConfig;
        if (session.Model is not ICausalLanguageModel)
            throw new PeftSharpException($"{adapter}: a sequence-classification adapter cannot be exported; llama.cpp runs causal language models");
        if (config.ModulesToSave is { Count: > 0 } || config.Bias != BiasMode.None)
            throw new PeftSharpException($"{adapter}: the adapter also trains {(config.Bias != BiasMode.None ? $"biases (bias = {config.Bias})" : string.Join(", ", config.ModulesToSave!))}, which a llama.cpp LoRA cannot hold; export the merged model (--format gguf)");
        var architecture = GgufArchitecture.For(session.Model.Config, model);
        var maps = architecture.Tensors(session.Model.Config).ToDictionary(m => m.ParameterName, StringComparer.Ordinal);
        var factors = new List<(GgufTensorMap Map, Tensor A, Tensor B)>();
        foreach (var (path, layer) in peft.Layers.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!maps.TryGetValue(path + ".weight", out var map))
                throw new PeftSharpException($"{adapter}: the adapted layer '{path}' has no weight in llama.cpp's {architecture.Name} model");
            var (a, b) = LowRank(layer[peft.ActiveAdapter], config, adapter, path);
            factors.Add((map, a, map.RowsToGguf(b)));
        }
        var ranks = factors.Select(f => f.A.shape[0]).Distinct().ToList();
        var writer = Header(architecture, adapter, "adapter", weightType);
        writer.Add("adapter.type", GgufValue.Of("lora"));
        // llama.cpp scales by alpha / rank (rank of each pair); alpha 0 means no scaling. The scale is already in B.
        writer.Add("adapter.lora.alpha", GgufValue.Of(ranks.Count == 1 ? (float)ranks[0] : 0f));
        foreach (var (map, a, b) in factors)
        {
            writer.AddTensor(map.GgufName + ".lora_a", a.shape, weightType, () => a);
            writer.AddTensor(map.GgufName + ".lora_b", b.shape, weightType, () => b);
        }
        writer.Write(output);
    }

    /// <summary>(A, s·B) with ΔW = (s·B)·A in the Linear orientation, for the methods whose update is exactly that.</summary>
    private static (Tensor A, Tensor B) LowRank(TunerLayer layer, AdapterConfig config, string source, string path) =>
        layer.AsLowRank() ?? throw new PeftSharpException(
            $"{source}: a {PeftMethods.Of(config).Title} adapter (on '{path}') is not a plain low-rank update a llama.cpp LoRA can hold; export the merged model (--format gguf)");

    /// <summary>The base model an adapter names (adapter_config.json's base_model_name_or_path), when it exists here.</summary>
    public static string BaseModelOf(string adapter)
    {
        var config = AdapterFormat.ReadConfig(adapter, _ => { });
        return config.BaseModelNameOrPath is { } path && GgufModelFile.Exists(path) ? path
            : throw new PeftSharpException($"{adapter}: give --model (the adapter's base_model_name_or_path {(config.BaseModelNameOrPath is null ? "is not set" : $"'{config.BaseModelNameOrPath}' is not here")})");
    }

    private static GgufWriter Header(GgufArchitecture architecture, string source, string kind, GgufTensorType type)
    {
        var writer = new GgufWriter()
            .Add(GgufArchitecture.GeneralArchitecture, GgufValue.Of(architecture.Name))
            .Add("general.type", GgufValue.Of(kind))
            .Add("general.name", GgufValue.Of(Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(source))))
            .Add("general.file_type", GgufValue.Of(type switch { GgufTensorType.F16 => 1u, GgufTensorType.Q8_0 => 7u, GgufTensorType.BF16 => 32u, _ => 0u }));
        if (type == GgufTensorType.Q8_0) writer.Add("general.quantization_version", GgufValue.Of(2u));
        return writer;
    }

    /// <summary>The tokenizer to embed: a GGUF input's own, or the one built from a HF folder's files.</summary>
    private static GgufVocabulary Vocabulary(string model, ModelConfig config)
    {
        if (GgufModelFile.Find(model) is { } gguf)
        {
            using var file = GgufFile.Open(gguf);
            return GgufVocabulary.Read(file.Metadata);
        }
        int rows = config switch { Models.Gpt2.Gpt2Config g => g.VocabSize, Models.Llama.LlamaConfig l => l.VocabSize, _ => 0 };
        return GgufVocabularyFromFolder.Read(model, TokenizerLoader.Load(model), rows);
    }

    /// <summary>Norms, biases and rows that do not fill Q8_0 blocks stay f32, as llama.cpp's quantiser keeps them.</summary>
    private static GgufTensorType StoredType(long[] shape, GgufTensorType weights) =>
        shape.Length < 2 ? GgufTensorType.F32
        : weights == GgufTensorType.Q8_0 && shape[^1] % Q8_0Quantizer.BlockElements != 0 ? GgufTensorType.F32
        : weights;

    private static GgufTensorType ParseType(string type) => type.ToLowerInvariant() switch
    {
        "f32" => GgufTensorType.F32,
        "f16" => GgufTensorType.F16,
        "bf16" => GgufTensorType.BF16,
        "q8_0" => GgufTensorType.Q8_0,
        _ => throw new PeftSharpException($"--type must be one of {string.Join(", ", Types)}, got '{type}'"),
    };

    /// <summary>The output file must not be, lie in or contain an input (compared by file identity), nor be a folder.</summary>
    private static void RefuseOverwritingInputs(string output, string model, string? adapter)
    {
        OutputFolder.RefuseOverlap(output, OutputOption, [("the model", model), ("the adapter", adapter)]);
        if (Directory.Exists(output)) throw new InvalidOptionException(OutputOption, output, "is a folder; give the path of the .gguf file to write");
    }

    /// <summary>The name by which errors about the output file name it (the CLI shows its flag).</summary>
    public const string OutputOption = "OutputFile";
}
