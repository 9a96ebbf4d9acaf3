namespace PeftSharp.Tuners;

/// <summary>Which biases train with an adapter (PEFT <c>bias</c>: "none", "all", "lora_only").</summary>
public enum BiasMode
{
    /// <summary>No bias trains.</summary>
    None,
    /// <summary>Every bias of the model trains.</summary>
    All,
    /// <summary>Only the biases of adapted layers train.</summary>
    LoraOnly,
}
