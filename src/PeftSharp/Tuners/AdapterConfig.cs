using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// What every adapter method's configuration shares, with PEFT's field names on disk.
/// A method's config adds its hyperparameters and knows how to build its <see cref="LayerAdapter"/>.
/// </summary>
public abstract record AdapterConfig
{
    /// <summary>PEFT's <c>peft_type</c> ("LORA", "ADALORA", ...).</summary>
    public abstract string PeftType { get; }

    /// <summary>The modules to adapt (PEFT <c>target_modules</c>).</summary>
    public TargetModules TargetModules { get; init; } = TargetModules.AllLinear;
    /// <summary>Modules never adapted even when matched (PEFT <c>exclude_modules</c>).</summary>
    public TargetModules? ExcludeModules { get; init; }
    /// <summary>Modules trained fully and saved with the adapter, e.g. a classifier head (PEFT <c>modules_to_save</c>).</summary>
    public IReadOnlyList<string>? ModulesToSave { get; init; }
    /// <summary>Dropout on the adapter branch input (PEFT <c>lora_dropout</c>).</summary>
    public double LoraDropout { get; init; }
    /// <summary>Which biases train with the adapter: "none", "all" or "lora_only" (PEFT <c>bias</c>).</summary>
    public string Bias { get; init; } = "none";
    public string? BaseModelNameOrPath { get; init; }
    /// <summary>PEFT <c>task_type</c>: CAUSAL_LM, SEQ_CLS, ...</summary>
    public string? TaskType { get; init; }

    /// <summary>Creates this method's adapter for one layer.</summary>
    internal abstract LayerAdapter CreateAdapter(BaseLayer layer, string modulePath);

    /// <summary>The method's regularisation term over the adapters of one adapter name, or null when it has none.</summary>
    internal virtual Tensor? RegularizationLoss(IReadOnlyList<LayerAdapter> adapters) => null;

    /// <summary>Whether <see cref="RegularizationLoss"/> contributes to the training loss.</summary>
    internal virtual bool HasRegularization => false;

    /// <summary>Checks every hyperparameter; throws <see cref="PeftSharpException"/> naming the field.</summary>
    public virtual void Validate()
    {
        if (LoraDropout is < 0 or >= 1 || double.IsNaN(LoraDropout)) throw Invalid("lora_dropout", "in [0, 1)", LoraDropout);
        if (Bias is not ("none" or "all" or "lora_only")) throw Invalid("bias", "\"none\", \"all\" or \"lora_only\"", Bias);
    }

    protected PeftSharpException Invalid(string field, string expected, object? got) =>
        new($"{PeftType} config: '{field}' must be {expected}, got {got ?? "null"}");

    /// <summary>Writes the fields PEFT defines for every method; subclasses add theirs.</summary>
    internal virtual void WriteJson(JsonObject json)
    {
        json["peft_type"] = PeftType;
        json["target_modules"] = ConfigWriter.ToJson(TargetModules);
        json["exclude_modules"] = ConfigWriter.ToJson(ExcludeModules);
        json["modules_to_save"] = ConfigWriter.ToJson(ModulesToSave);
        json["lora_dropout"] = LoraDropout;
        json["bias"] = Bias;
        json["base_model_name_or_path"] = BaseModelNameOrPath;
        json["task_type"] = TaskType;
        json["inference_mode"] = true;
    }

    /// <summary>Reads the shared fields into <paramref name="config"/>.</summary>
    internal static T ReadCommon<T>(ConfigReader r, T config) where T : AdapterConfig => config with
    {
        TargetModules = r.GetTargetModules("target_modules") ?? throw new PeftSharpException($"{r.Source}: required field 'target_modules' is missing"),
        ExcludeModules = r.GetTargetModules("exclude_modules"),
        ModulesToSave = r.GetStringList("modules_to_save"),
        LoraDropout = r.Get("lora_dropout", 0.0),
        Bias = r.Get("bias", "none"),
        BaseModelNameOrPath = r.Get<string?>("base_model_name_or_path", null),
        TaskType = r.Get<string?>("task_type", null),
    };
}
