using System.Text.Json.Nodes;
using PeftSharp.Tuners.Dora;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA (Hu et al. 2021): ΔW = s·B·A with s = α/r, or α/√r with rsLoRA. With <see cref="UseDora"/>
/// the same factors drive DoRA (Liu et al. 2024), as in PEFT.
/// </summary>
public sealed record LoraConfig : AdapterConfig
{
    public override string PeftType => "LORA";

    public int R { get; init; } = 8;
    public double LoraAlpha { get; init; } = 8;
    public bool UseRslora { get; init; }
    public bool UseDora { get; init; }
    /// <summary>Per-module rank overrides (PEFT <c>rank_pattern</c>): key matches a module path suffix.</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();
    /// <summary>Per-module α overrides (PEFT <c>alpha_pattern</c>).</summary>
    public IReadOnlyDictionary<string, double> AlphaPattern { get; init; } = new Dictionary<string, double>();

    public override void Validate()
    {
        base.Validate();
        if (R < 1) throw Invalid("r", "≥ 1", R);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        foreach (var (key, r) in RankPattern) if (r < 1) throw Invalid($"rank_pattern.{key}", "≥ 1", r);
    }

    internal static double Scaling(double alpha, int r, bool rslora) => rslora ? alpha / Math.Sqrt(r) : alpha / r;

    internal override LayerAdapter CreateAdapter(BaseLayer layer, string modulePath)
    {
        int r = PatternLookup.Find(RankPattern, modulePath) ?? R;
        double alpha = PatternLookup.Find(AlphaPattern, modulePath) ?? LoraAlpha;
        double scaling = Scaling(alpha, r, UseRslora);
        return UseDora ? new DoraAdapter(layer, r, scaling, LoraDropout) : new LoraAdapter(layer, r, scaling, LoraDropout);
    }

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["r"] = R;
        json["lora_alpha"] = LoraAlpha;
        json["use_rslora"] = UseRslora;
        json["use_dora"] = UseDora;
        json["rank_pattern"] = new JsonObject(RankPattern.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        json["alpha_pattern"] = new JsonObject(AlphaPattern.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
    }

    internal static LoraConfig Read(ConfigReader r) => ReadCommon(r, new LoraConfig
    {
        R = r.Get("r", 8),
        LoraAlpha = r.Get("lora_alpha", 8.0),
        UseRslora = r.Get("use_rslora", false),
        UseDora = r.Get("use_dora", false),
        RankPattern = PatternLookup.ReadInts(r, "rank_pattern"),
        AlphaPattern = PatternLookup.ReadDoubles(r, "alpha_pattern"),
    });
}
