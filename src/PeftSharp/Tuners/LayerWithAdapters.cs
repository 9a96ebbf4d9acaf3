using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// Replaces a linear-like layer in the model: keeps the original as <c>base_layer</c> and holds
/// one <see cref="TunerLayer"/> per adapter name. Forward applies the active adapter unless it is
/// merged into the base weight or adapters are disabled.
/// </summary>
public sealed class LayerWithAdapters : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict names
    private readonly nn.Module<Tensor, Tensor> base_layer;
    private readonly AdapterContainer adapters = new(); // registered child holding one module per adapter name
#pragma warning restore IDE1006
    private readonly Dictionary<string, TunerLayer> byName = new();
    private readonly List<string> merged = new();

    internal LayerWithAdapters(nn.Module<Tensor, Tensor> baseLayer) : base(nameof(LayerWithAdapters))
    {
        base_layer = baseLayer;
        Base = LinearLike.TryWrap(baseLayer) ?? throw new ArgumentException("not a linear-like layer", nameof(baseLayer));
        RegisterComponents();
    }

    internal LinearLike Base { get; }
    public nn.Module<Tensor, Tensor> BaseModule => base_layer;
    public string? ActiveAdapter { get; internal set; }
    internal bool Disabled { get; set; }
    public IReadOnlyList<string> MergedAdapters => merged;
    public IEnumerable<string> AdapterNames => byName.Keys;
    public long InFeatures => Base.InFeatures;
    public long OutFeatures => Base.OutFeatures;

    public TunerLayer this[string adapterName] => byName[adapterName];
    public bool HasAdapter(string adapterName) => byName.ContainsKey(adapterName);

    internal void AddAdapter(string name, TunerLayer adapter)
    {
        if (byName.ContainsKey(name)) throw new PeftSharpException($"adapter '{name}' already exists on this layer");
        byName.Add(name, adapter);
        adapters.register_module(name, adapter);
        ActiveAdapter ??= name;
    }

    internal void DeleteAdapter(string name)
    {
        if (merged.Contains(name)) Unmerge(name);
        var adapter = byName[name];
        byName.Remove(name);
        adapters.register_module(name, null!);
        adapter.Dispose();
        if (ActiveAdapter == name) ActiveAdapter = byName.Keys.FirstOrDefault();
    }

    public override Tensor forward(Tensor x)
    {
        if (Disabled)
        {
            if (merged.Count > 0) throw new InvalidOperationException("cannot disable adapters while they are merged; unmerge first");
            return Base.Forward(x);
        }
        if (ActiveAdapter is null || merged.Contains(ActiveAdapter)) return Base.Forward(x);
        return byName[ActiveAdapter].ForwardInBaseDtype(Base, x);
    }

    /// <summary>Dense ΔW of an adapter in the base layer's own storage layout.</summary>
    public Tensor DeltaWeight(string adapterName) => Base.ToStorageLayout(byName[adapterName].DeltaWeight(Base));

    internal void Merge(string adapterName)
    {
        if (merged.Contains(adapterName)) return;
        byName[adapterName].MergeInto(Base);
        merged.Add(adapterName);
    }

    internal void Unmerge(string adapterName)
    {
        if (!merged.Remove(adapterName)) return;
        byName[adapterName].UnmergeFrom(Base);
    }
}

/// <summary>An empty module whose registered children are the adapters of one layer, keyed by adapter name.</summary>
internal sealed class AdapterContainer : nn.Module
{
    public AdapterContainer() : base("adapters") { }
}
