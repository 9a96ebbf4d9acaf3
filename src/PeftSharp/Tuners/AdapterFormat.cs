using System.Text.Json.Nodes;
using PeftSharp.IO;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// The on-disk adapter format (docs/formats.md#adapter-folder), interoperable with HuggingFace PEFT: a folder with
/// adapter_config.json and adapter_model.safetensors (keys <c>base_model.model.&lt;module path&gt;.&lt;name&gt;</c>).
/// The default adapter goes in the folder itself, any other adapter in a subfolder named after it.
/// </summary>
public static class AdapterFormat
{
    public const string ConfigFileName = AdapterConfigFile.FileName;
    public const string WeightsFileName = "adapter_model.safetensors";
    private const string KeyPrefix = "base_model.model.";

    /// <summary>Saves every adapter of <paramref name="model"/>.</summary>
    public static void Save(PeftModel model, string directory)
    {
        foreach (var name in model.Configs.Keys)
            SaveAdapter(model, name, name == PeftModel.DefaultAdapterName ? directory : Path.Combine(directory, name));
    }

    /// <summary>Saves one adapter into <paramref name="directory"/> (atomically, file by file).</summary>
    public static void SaveAdapter(PeftModel model, string adapterName, string directory)
    {
        AdapterNames.Validate(adapterName);
        if (!model.Configs.TryGetValue(adapterName, out var config))
            throw new PeftSharpException($"no adapter named '{adapterName}'; the model has {string.Join(", ", model.Configs.Keys.Select(k => $"'{k}'"))}");
        var tensors = AdapterTensors(model, adapterName).ToDictionary(t => KeyPrefix + t.Key, t => t.Value);
        config = config.ForSaving(model.LayersOf(adapterName));
        Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(Path.Combine(directory, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var fanInFanOut = model.Layers.Values.Any(l => l.HasAdapter(adapterName) && l.Base.FanInFanOut);
        var json = AdapterConfigFile.ToJson(config, new Dictionary<string, JsonNode?> { ["fan_in_fan_out"] = fanInFanOut, ["inference_mode"] = true });
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), json + "\n");
    }

    /// <summary>The adapter's tensors as saved, keyed by their name in the original model (AdaLoRA trimmed to its kept triplets).</summary>
    internal static Dictionary<string, Tensor> AdapterTensors(PeftModel model, string adapterName)
    {
        var tensors = model.AdapterParameters(adapterName).ToDictionary(t => t.Name, t => (Tensor)t.Parameter);
        foreach (var (path, layer) in model.Layers)
            if (layer.HasAdapter(adapterName))
                foreach (var (name, value) in layer[adapterName].SavedTensors()) tensors[$"{path}.{name}"] = value;
        return tensors;
    }

    /// <summary>Reads the adapter in <paramref name="directory"/> and injects it into <paramref name="model"/> (frozen unless <paramref name="isTrainable"/>).</summary>
    public static PeftModel Load(nn.Module model, string directory, string adapterName = PeftModel.DefaultAdapterName, bool isTrainable = false, Action<string>? warn = null) =>
        Load(model, ReadConfig(directory, warn), directory, adapterName, isTrainable, warn);

    /// <summary><see cref="Load(nn.Module, string, string, bool, Action{string})"/> with the folder's config already read.</summary>
    internal static PeftModel Load(nn.Module model, AdapterConfig config, string directory, string adapterName = PeftModel.DefaultAdapterName, bool isTrainable = false, Action<string>? warn = null)
    {
        var peft = PeftModel.Create(model, config, adapterName);
        LoadWeights(peft, adapterName, directory, warn: warn);
        if (!isTrainable) foreach (var p in model.parameters()) p.requires_grad = false;
        return peft;
    }

    /// <summary>Adds the adapter in <paramref name="directory"/> to an existing <see cref="PeftModel"/> under <paramref name="adapterName"/>.</summary>
    public static void LoadAdapter(PeftModel peft, string directory, string adapterName, Action<string>? warn = null)
    {
        peft.AddAdapter(adapterName, ReadConfig(directory, warn));
        LoadWeights(peft, adapterName, directory, warn: warn);
    }

    public static AdapterConfig ReadConfig(string directory, Action<string>? warn = null)
    {
        if (!Directory.Exists(directory)) throw new PeftSharpException($"{directory}: adapter folder not found");
        return AdapterConfigFile.Read(Path.Combine(directory, ConfigFileName), warn);
    }

    /// <summary>
    /// Copies the saved tensors into the adapter's parameters; any missing, unexpected or mis-shaped tensor is an error
    /// naming it. Read besides PEFT's keys: an adapted layer's bias under PeftSharp's older key ("&lt;path&gt;.bias"), and
    /// PEFT 0.20's lora_only adapters, which hold no biases (the base model's are kept, with a warning). PEFT's
    /// modules_to_save wrapper internals are skipped. A non-finite tensor is an error naming it.
    /// </summary>
    internal static void LoadWeights(PeftModel peft, string adapterName, string directory, Func<string, bool>? ignore = null, Action<string>? warn = null)
    {
        var path = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: adapter weights not found");
        using var file = SafetensorsFile.Open(path);
        var targets = peft.AdapterParameters(adapterName).ToDictionary(t => KeyPrefix + t.Name, t => (Tensor)t.Parameter);
        var stored = targets.Keys.ToDictionary(k => k, k => file.Contains(k) ? k : StateDictNames.LegacyKey(k) is { } old && file.Contains(old) ? old : null);
        var read = stored.Values.OfType<string>().ToHashSet();
        var unexpected = file.Keys.Where(k => !read.Contains(k) && !StateDictNames.IsWrapperInternal(k) && !(ignore?.Invoke(k) ?? false)).ToList();
        if (unexpected.Count > 0)
            throw new PeftSharpException($"{path}: tensor '{unexpected[0]}' matches nothing in the model{(unexpected.Count > 1 ? $" (and {unexpected.Count - 1} more)" : "")}; {Explain(unexpected[0])}");
        var missing = stored.Where(s => s.Value is null).Select(s => s.Key).ToList();
        if (missing.Count > 0 && peft.Configs[adapterName].Bias == BiasMode.LoraOnly && !read.Any(StateDictNames.IsAdaptedLayerBias) && missing.All(StateDictNames.IsAdaptedLayerBias))
        {
            warn?.Invoke($"{path}: bias is \"lora_only\" but the file holds no biases (PEFT 0.20 and earlier did not save them); the base model's biases are used");
            foreach (var key in missing) targets.Remove(key);
            missing.Clear();
        }
        if (missing.Count > 0)
            throw new PeftSharpException($"{path}: tensor '{missing[0]}' is missing{(missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "")}");
        using var noGrad = no_grad();
        foreach (var (key, target) in targets)
        {
            var info = file.GetInfo(stored[key]!);
            if (!info.Shape.SequenceEqual(target.shape))
                throw new PeftSharpException($"{path}: tensor '{key}' has shape {ShapeText.Of(info.Shape)} but the model expects {ShapeText.Of(target.shape)}; was this adapter trained for another base model?");
            using var scope = NewDisposeScope();
            var tensor = file.ReadTensor(stored[key]!, target.dtype, target.device);
            NonFiniteWeights.Require(tensor, path, key);
            target.copy_(tensor);
        }
        foreach (var layer in peft.Layers.Values)
            if (layer.HasAdapter(adapterName)) layer[adapterName].OnTrained();
    }

    /// <summary>Why a saved tensor may match nothing: a lora_B bias the config does not declare, else another base model.</summary>
    private static string Explain(string key) => key.EndsWith(".lora_B.bias", StringComparison.Ordinal)
        ? "the adapter has biases on lora_B but its adapter_config.json does not say \"lora_bias\": true"
        : "was this adapter trained for another base model?";
}
