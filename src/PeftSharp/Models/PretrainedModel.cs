using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// What every architecture shares: its config, how its parameter names map to checkpoint keys, and
/// HF-style random initialisation. Subclasses call <see cref="Seal"/> at the end of their constructor.
/// </summary>
internal abstract class PretrainedModel : nn.Module, IPretrainedModel
{
    protected PretrainedModel(string name) : base(name) { }

    public string ModelType => Config.ModelType;
    public abstract ModelConfig Config { get; }
    public nn.Module Module => this;

    public bool GradientCheckpointing
    {
        get => modules().OfType<IBlockStack>().Any(stack => stack.GradientCheckpointing);
        set { foreach (var stack in modules().OfType<IBlockStack>()) stack.GradientCheckpointing = value; }
    }

    /// <summary>The parameter names of the bare architecture (no adapters), in registration order.</summary>
    internal IReadOnlyList<string> ArchitectureParameterNames { get; private set; } = [];

    /// <summary>How the checkpoint this model came from spelled its keys; used again when saving.</summary>
    internal CheckpointLayout Layout { get; set; } = CheckpointLayout.Canonical;

    /// <summary>HF's base_model_prefix with a dot (<c>transformer.</c>, <c>model.</c>, <c>bert.</c>, <c>roberta.</c>).</summary>
    internal abstract string BaseModelPrefix { get; }

    /// <summary>Whether a checkpoint without <see cref="BaseModelPrefix"/> is saved back without it (GPT-2's two layouts).</summary>
    internal virtual bool KeepsOmittedPrefixOnSave => false;

    /// <summary>The tied output embedding when the head is tied (saved as <c>lm_head.weight</c> if the checkpoint had it).</summary>
    internal virtual Tensor? TiedHeadWeight => null;

    /// <summary>Task-head parameters the checkpoint lacked, initialised randomly on load (they need training or an adapter that carries them).</summary>
    internal IReadOnlyList<string> NewlyInitialized { get; set; } = [];

    /// <summary>Parameters a checkpoint may lack because fine-tuning creates them (classification heads).</summary>
    internal virtual bool IsTaskHead(string parameterName) => false;

    /// <summary>Checkpoint keys this architecture expects and drops without a warning (a classifier built on a language model's <c>lm_head.weight</c>).</summary>
    internal virtual bool IgnoresCheckpointKey(string key) => false;

    /// <summary>HF's class name, written to config.json's <c>architectures</c> on save.</summary>
    internal abstract string ArchitectureName { get; }

    protected void Seal()
    {
        RegisterComponents();
        ArchitectureParameterNames = named_parameters().Select(p => p.name).ToList();
    }

    /// <summary>HF's _init_weights: normal(0, initializer_range) weights, zero biases, unit norms.</summary>
    internal void InitializeWeights(Generator? generator, Func<string, bool>? only = null)
    {
        var std = Config.InitializerRange;
        using var noGrad = torch.no_grad();
        foreach (var (name, module) in named_modules())
        {
            if (only is not null && !only(name)) continue;
            switch (module)
            {
                case Linear linear:
                    linear.weight.normal_(0, std, generator);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case Conv1D conv:
                    conv.weight.normal_(0, std, generator);
                    nn.init.zeros_(conv.bias);
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0, std, generator);
                    break;
                case LayerNorm norm:
                    if (norm.weight is not null) nn.init.ones_(norm.weight);
                    if (norm.bias is not null) nn.init.zeros_(norm.bias);
                    break;
                case RmsNorm rms:
                    nn.init.ones_(rms.weight);
                    break;
            }
        }
        AfterInitialization(generator, only);
    }

    /// <summary>Architecture-specific init on top of the generic one (padding rows, scaled projections).</summary>
    protected virtual void AfterInitialization(Generator? generator, Func<string, bool>? only) { }
}
