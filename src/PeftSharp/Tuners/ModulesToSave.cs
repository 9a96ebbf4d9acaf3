using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// A module trained fully alongside an adapter (PEFT <c>modules_to_save</c>, e.g. a classifier head).
/// Its parameters stay the same objects; their values are swapped: the original values are kept so
/// that disabling or switching adapters restores them, and each adapter keeps its own trained values.
/// </summary>
internal sealed class ModulesToSave : IDisposable
{
    private const string Original = "";
    private readonly Dictionary<string, Dictionary<string, Tensor>> stash = new();
    private string owner; // whose values the live parameters hold ("" = the original)

    public ModulesToSave(string path, nn.Module module, string adapterName)
    {
        Path = path;
        Module = module;
        stash[Original] = Snapshot();
        owner = adapterName;
        Adapters.Add(adapterName);
    }

    public string Path { get; }
    public nn.Module Module { get; }
    public HashSet<string> Adapters { get; } = new();

    private Dictionary<string, Tensor> Snapshot()
    {
        using var noGrad = no_grad();
        return Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Makes the live parameters hold the values of <paramref name="adapterName"/> (or the original values when null / not an owner).</summary>
    public void Activate(string? adapterName)
    {
        var target = adapterName is not null && Adapters.Contains(adapterName) ? adapterName : Original;
        if (target == owner) return;
        if (owner != Original) { Dispose(owner); stash[owner] = Snapshot(); }
        using (no_grad())
        {
            var values = stash.TryGetValue(target, out var saved) ? saved : stash[Original];
            foreach (var (name, p) in Module.named_parameters()) p.copy_(values[name]);
        }
        owner = target;
    }

    public void Remove(string adapterName)
    {
        if (owner == adapterName) Activate(null);
        Dispose(adapterName);
        stash.Remove(adapterName);
        Adapters.Remove(adapterName);
    }

    private void Dispose(string key)
    {
        if (stash.TryGetValue(key, out var values)) foreach (var t in values.Values) t.Dispose();
    }

    public void Dispose()
    {
        foreach (var key in stash.Keys.ToList()) Dispose(key);
        stash.Clear();
    }
}
