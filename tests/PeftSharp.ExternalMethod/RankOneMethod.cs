using PeftSharp.Tuners;

namespace PeftSharp.ExternalMethod;

/// <summary>The rank-one method as users pick it; register it with <c>PeftMethods.Register(new RankOneMethod())</c>.</summary>
public sealed class RankOneMethod : PeftMethod
{
    public override string Name => "rank-one";
    public override string Title => "Rank one";
    public override string Summary => "s · u vᵀ";
    public override string Reference => "an example of a method defined outside PeftSharp";
    public override Type ConfigType => typeof(RankOneConfig);
    public override AdapterConfig ForBudget(int r) => new RankOneConfig();
}
