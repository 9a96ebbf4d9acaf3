using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.Data;
using PeftSharp.IO;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// Everything that shapes a run's result, recorded in each of its checkpoints so that a resume continues exactly the
/// run that wrote it: every setting by its library name (the method and each of its options, optimizer, learning rate
/// and schedule kind, warm-up, batch, accumulation, clipping, weight decay, seed, shuffling, the task's loss settings),
/// a digest of the encoded training examples (the data, its tokenization and truncation) and a digest of the frozen
/// base weights. Only the length of the run may differ (see <see cref="Trainer"/>).
/// </summary>
internal sealed record RunFingerprint(IReadOnlyDictionary<string, string> Settings, string DataDigest, int Examples, string ModelDigest)
{
    /// <summary>Values sampled from each frozen parameter for the model digest (evenly strided over the tensor).</summary>
    private const int SampledValues = 4096;

    public static RunFingerprint Of(ITrainable trainable, ITrainingTask task, TrainerOptions options)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["method"] = Json(trainable.MethodName) };
        foreach (var (name, value) in trainable.Settings) settings[name] = value;
        foreach (var (name, value) in task.Settings) settings[name] = value;
        settings[nameof(options.Seed)] = Json(options.Seed);
        settings[nameof(options.Shuffle)] = Json(options.Shuffle);
        settings[nameof(options.Optimizer)] = Json(options.Optimizer.ToString());
        settings[nameof(options.LearningRate)] = Json(options.LearningRate);
        settings[nameof(options.WeightDecay)] = Json(options.WeightDecay);
        settings[nameof(options.Schedule)] = Json(options.Schedule.ToString());
        // A warm-up given as a ratio follows the run's length, which may change; a warm-up in steps may not.
        if (options.WarmupRatio is { } ratio) settings[nameof(options.WarmupRatio)] = Json(ratio);
        else settings[nameof(options.WarmupSteps)] = Json(options.WarmupSteps);
        settings[nameof(options.BatchSize)] = Json(options.BatchSize);
        settings[nameof(options.GradientAccumulation)] = Json(options.GradientAccumulation);
        settings[nameof(options.MaxGradNorm)] = Json(options.MaxGradNorm);
        // The precision: the dtypes of all weights and of the trained ones (not activation checkpointing, which changes no result).
        settings["Dtype"] = Json(Dtypes(trainable.Module.parameters().Select(p => p.dtype)));
        settings["TrainedDtype"] = Json(Dtypes(trainable.TrainableParameters().Select(t => t.Parameter.dtype)));
        return new RunFingerprint(settings, DigestOf(task.TrainExamples), task.TrainExamples.Count, DigestOfFrozen(trainable));
    }

    /// <summary>An adapter configuration's fields (saved ones and training-only options alike) as settings, by JSON name.</summary>
    public static IReadOnlyDictionary<string, string> SettingsOf(AdapterConfig config)
    {
        var options = AdapterConfigFile.SerializerOptions;
        var fields = TypedJson.Write(config, options).ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null", StringComparer.Ordinal);
        foreach (var option in MethodOptions.Of(config.GetType()))
            fields.TryAdd(option.Name, JsonSerializer.Serialize(option.Property.GetValue(config), option.Property.PropertyType, options));
        fields.Remove("base_model_name_or_path"); // where the model lies is not what it is (the model digest says that)
        return fields;
    }

    public static string Json<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>"Float32, BFloat16": the distinct dtypes, in ScalarType order.</summary>
    private static string Dtypes(IEnumerable<ScalarType> dtypes) => string.Join(", ", dtypes.Distinct().Order());

    public JsonObject ToJson() => new()
    {
        ["settings"] = new JsonObject(Settings.Select(s => KeyValuePair.Create(s.Key, JsonNode.Parse(s.Value)))),
        ["training_data"] = new JsonObject { ["examples"] = Examples, ["digest"] = DataDigest },
        ["frozen_weights_digest"] = ModelDigest,
    };

    /// <summary>Throws, naming the first difference, unless a run with these settings may continue <paramref name="recorded"/>'s checkpoint.</summary>
    public void RequireSameAs(RunFingerprint recorded, string checkpoint)
    {
        var changed = recorded.Settings.Keys.Union(Settings.Keys).Order(StringComparer.Ordinal)
            .Where(name => recorded.Settings.GetValueOrDefault(name) != Settings.GetValueOrDefault(name)).ToList();
        if (changed is [var first, .. var others])
        {
            var also = others.Count > 0 ? $"; also changed: {string.Join(", ", others)}" : "";
            throw new InvalidOptionException(checkpoint, first,
                $"{recorded.Settings.GetValueOrDefault(first) ?? "unset"} (the value {checkpoint} was trained with; a resumed run must not change it{also})",
                new JsonText(Settings.GetValueOrDefault(first) ?? "unset"));
        }
        if (recorded.DataDigest != DataDigest || recorded.Examples != Examples)
            throw new PeftSharpException(string.Create(CultureInfo.InvariantCulture,
                $"{checkpoint}: the training examples differ from those it was trained on ({recorded.Examples:N0} examples, digest {recorded.DataDigest[..12]}; now {Examples:N0}, {DataDigest[..12]}); resume with the same data, tokenizer and maximum length"));
        if (recorded.ModelDigest != ModelDigest)
            throw new PeftSharpException($"{checkpoint}: the frozen weights differ from those it was trained with (another base model or dtype?); resume with the same model and dtype");
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; null when the state predates recorded settings (it has no "format").</summary>
    public static RunFingerprint? FromJson(JsonObject state, string source)
    {
        if (state["format"] is null) return null;
        try
        {
            var settings = state["settings"]!.AsObject();
            var data = state["training_data"]!.AsObject();
            return new RunFingerprint(
                settings.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null", StringComparer.Ordinal),
                data["digest"]!.GetValue<string>(), data["examples"]!.GetValue<int>(), state["frozen_weights_digest"]!.GetValue<string>());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new PeftSharpException($"{source}: the recorded run settings are damaged ({e.Message}); the checkpoint cannot be resumed safely");
        }
    }

    private static string DigestOf(IReadOnlyList<EncodedExample> examples)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in examples)
        {
            AppendInts(hash, e.InputIds);
            AppendInts(hash, e.Labels);
            AppendInts(hash, e.TokenTypeIds);
            hash.AppendData(BitConverter.GetBytes(e.ClassLabel ?? int.MinValue));
            hash.AppendData(BitConverter.GetBytes(e.Target ?? double.NaN));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A length-prefixed array (−1 for none), so that no two different example lists hash the same bytes.</summary>
    private static void AppendInts(IncrementalHash hash, int[]? values)
    {
        hash.AppendData(BitConverter.GetBytes(values?.Length ?? -1));
        if (values is not null) hash.AppendData(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Names, dtypes, shapes and a strided sample of the values of every parameter the run does not train.</summary>
    private static string DigestOfFrozen(ITrainable trainable)
    {
        var trained = trainable.TrainableParameters().Select(t => t.Parameter.Handle).ToHashSet();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p) in trainable.Module.named_parameters())
        {
            if (trained.Contains(p.Handle)) continue;
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{p.dtype}|{string.Join(",", p.shape)}|"));
            long count = p.numel();
            if (count == 0) continue;
            var flat = p.detach().reshape(count);
            var sample = flat.slice(0, 0, count, Math.Max(1, count / SampledValues)).to(ScalarType.Float64).cpu();
            hash.AppendData(MemoryMarshal.AsBytes(sample.data<double>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A JSON value shown as its text in messages (numbers bare, strings quoted).</summary>
    private sealed record JsonText(string Text)
    {
        public override string ToString() => Text;
    }
}
