using System.Text.Json.Nodes;
using PeftSharp.IO;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// The on-disk adapter format (docs/formats.md#adapter), interoperable with HuggingFace PEFT: a folder with
/// adapter_config.json and adapter_model.safetensors (keys <c>base_model.model.&lt;module path&gt;.&lt;name&gt;</c>).
/// The default adapter goes in the folder itself, any other adapter in a subfolder named after it.
/// </summary>
public static class AdapterFormat
{
    public const string ConfigFileName = AdapterConfigFile.FileName;
    public const string WeightsFileName = "adapter_model.safetensors";
    const string KeyPrefix = "base_model.model.";

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
    public static PeftModel Load(nn.Module model, string directory, string adapterName = PeftModel.DefaultAdapterName, bool isTrainable = false, Action<string>? warn = null)
    {
        var config = ReadConfig(directory, warn);
        var peft = PeftModel.Create(model, config, adapterName);
        LoadWeights(peft, adapterName, directory);
        if (!isTrainable) foreach (var p in model.parameters()) p.requires_grad = false;
        return peft;
    }

    /// <summary>Adds the adapter in <paramref name="directory"/> to an existing <see cref="PeftModel"/> under <paramref name="adapterName"/>.</summary>
    public static void LoadAdapter(PeftModel peft, string directory, string adapterName, Action<string>? warn = null)
    {
        peft.AddAdapter(adapterName, ReadConfig(directory, warn));
        LoadWeights(peft, adapterName, directory);
    }

    public static AdapterConfig ReadConfig(string directory, Action<string>? warn = null)
    {
        if (!Directory.Exists(directory)) throw new PeftSharpException($"{directory}: adapter folder not found");
        return AdapterConfigFile.Read(Path.Combine(directory, ConfigFileName), warn);
    }

    /// <summary>Copies the saved tensors into the adapter's parameters; any missing, unexpected, mis-shaped or non-finite tensor is an error naming it.</summary>
    internal static void LoadWeights(PeftModel peft, string adapterName, string directory, Func<string, bool>? ignore = null)
    {
        var path = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: adapter weights not found");
        using var file = SafetensorsFile.Open(path);
        var targets = peft.AdapterParameters(adapterName).ToDictionary(t => KeyPrefix + t.Name, t => (Tensor)t.Parameter);
        var unexpected = file.Keys.Where(k => !targets.ContainsKey(k) && !(ignore?.Invoke(k) ?? false)).ToList();
        if (unexpected.Count > 0)
            throw new PeftSharpException($"{path}: tensor '{unexpected[0]}' matches nothing in the model{(unexpected.Count > 1 ? $" (and {unexpected.Count - 1} more)" : "")}; was this adapter trained for another base model?");
        var missing = targets.Keys.Where(k => !file.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new PeftSharpException($"{path}: tensor '{missing[0]}' is missing{(missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "")}");
        using var noGrad = no_grad();
        foreach (var (key, target) in targets)
        {
            var info = file.GetInfo(key);
            if (!info.Shape.SequenceEqual(target.shape))
                throw new PeftSharpException($"{path}: tensor '{key}' has shape {ShapeText.Of(info.Shape)} but the model expects {ShapeText.Of(target.shape)}; was this adapter trained for another base model?");
            using var scope = NewDisposeScope();
            var tensor = file.ReadTensor(key, target.dtype, target.device);
            NonFiniteWeights.Require(tensor, path, key);
            target.copy_(tensor);
        }
        foreach (var layer in peft.Layers.Values)
            if (layer.HasAdapter(adapterName)) layer[adapterName].OnTrained();
    }
}
