namespace PeftSharp.Tuners;

/// <summary>
/// A fine-tuning method as users pick it: its name, the paper, its configuration type, and how it is configured for
/// a parameter budget. Each method's folder declares one; <see cref="PeftMethods"/> lists them, and every list of
/// methods (CLI choices, comparisons, the adapter-file reader, benchmarks) is derived from that list.
/// </summary>
public abstract class PeftMethod
{
    /// <summary>The name users type: <c>lora</c>, <c>dual-lora</c>, …</summary>
    public abstract string Name { get; }

    /// <summary>The name in prose and tables: "Dual LoRA".</summary>
    public abstract string Title { get; }

    /// <summary>What it trains, in one line.</summary>
    public abstract string Summary { get; }

    /// <summary>The paper that defines it.</summary>
    public abstract string Reference { get; }

    /// <summary>The configuration type that owns the method's options; null for full fine-tuning, which has none.</summary>
    public abstract Type? ConfigType { get; }

    /// <summary>Whether comparisons and the demo include the method by default.</summary>
    public virtual bool ComparedByDefault => true;

    /// <summary>
    /// The configuration with the trainable-parameter budget of LoRA at rank <paramref name="r"/> (and α = 2r, the
    /// usual pairing); null for full fine-tuning. Options set afterwards override what the budget chose.
    /// </summary>
    public abstract AdapterConfig? ForBudget(int r);

    /// <summary>True when <paramref name="config"/> is configured as this method (DoRA: a LoRA config with use_dora).</summary>
    public virtual bool Describes(AdapterConfig config) => config.GetType() == ConfigType;

    public override string ToString() => Name;
}
