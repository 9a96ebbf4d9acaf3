using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PeftSharp.IO;
using PeftSharp.Tuners;

namespace PeftSharp.Workflows;

/// <summary>
/// An ablation table as data (<c>recipes/ablations/*.json</c>, read by <c>peft ablate</c>): every row a method with
/// option overrides, trained on a shipped WordNet task over several seeds, each row at its own learning rate or at
/// one chosen on dev from <see cref="LrGrid"/>. Field names are the JSON names in snake_case (docs/ablations.md#recipes).
/// </summary>
public sealed record AblationRecipe
{
    /// <summary>What the table shows (its title).</summary>
    [JsonRequired] public string Description { get; init; } = "";
    /// <summary>The paper's experiment this reproduces.</summary>
    public string? Source { get; init; }
    /// <summary>How the setting differs from the paper's, and how to read the table.</summary>
    public string? Notes { get; init; }
    /// <summary>The shipped WordNet task (<see cref="DemoWorkflow.Tasks"/>).</summary>
    public string Task { get; init; } = "wn-lexname";
    /// <summary>The parameter budget in LoRA ranks each row's method sizes itself to (<see cref="PeftMethod.ForBudget"/>).</summary>
    public int R { get; init; } = 8;
    /// <summary>Optimizer steps per run; several values repeat the whole table at each (a training-length sweep).</summary>
    public IReadOnlyList<int> Steps { get; init; } = [250];
    public int BatchSize { get; init; } = 32;
    public int WarmupSteps { get; init; } = 10;
    public IReadOnlyList<int> Seeds { get; init; } = [42, 43, 44];
    /// <summary>The learning rate of rows without their own when <see cref="LrGrid"/> is empty.</summary>
    public double Lr { get; init; } = DemoWorkflow.AdapterLearningRate;
    /// <summary>Learning rates each row without its own chooses from on dev with the first seed (empty: none).</summary>
    public IReadOnlyList<double> LrGrid { get; init; } = [];
    /// <summary>Evaluate on at most this many dev and test examples (null = all).</summary>
    public int? EvalMaxExamples { get; init; }
    /// <summary>Also tabulate the effective rank of ΔW per adapted layer (the Dual LoRA paper's Fig. 3).</summary>
    public bool PerLayerRanks { get; init; }
    [JsonRequired] public IReadOnlyList<AblationRow> Rows { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Reads and checks a recipe file: every problem is one line naming the file and the field.</summary>
    public static AblationRecipe Read(string path)
    {
        var json = TypedJson.ReadObject(path);
        var recipe = TypedJson.Read<AblationRecipe>(json, path, Json, out var unknown);
        if (unknown.Count > 0) throw new PeftSharpException($"{path}: unknown field '{unknown[0]}' (see docs/ablations.md#recipes)");
        recipe.Check(path);
        return recipe;
    }

    private void Check(string path)
    {
        PeftSharpException Bad(string field, string expected, object? value) => new($"{path}: field '{field}': expected {expected}, got {value}");
        if (!DemoWorkflow.Tasks.Contains(Task)) throw Bad("task", $"one of {string.Join(", ", DemoWorkflow.Tasks)}", Task);
        if (R < 1) throw Bad("r", "≥ 1", R);
        if (Steps.Count == 0 || Steps.Any(s => s < 1)) throw Bad("steps", "a non-empty list of step counts ≥ 1", string.Join(", ", Steps));
        if (BatchSize < 1) throw Bad("batch_size", "≥ 1", BatchSize);
        if (WarmupSteps < 0) throw Bad("warmup_steps", "≥ 0", WarmupSteps);
        if (Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count) throw Bad("seeds", "a non-empty list of distinct seeds", string.Join(", ", Seeds));
        if (!(Lr > 0) || double.IsInfinity(Lr)) throw Bad("lr", "a positive number", Lr);
        if (LrGrid.Any(lr => !(lr > 0) || double.IsInfinity(lr))) throw Bad("lr_grid", "positive learning rates", string.Join(", ", LrGrid));
        if (EvalMaxExamples < 1) throw Bad("eval_max_examples", "≥ 1", EvalMaxExamples);
        if (Rows.Count == 0) throw Bad("rows", "at least one row", "none");
        for (int i = 0; i < Rows.Count; i++)
        {
            var row = Rows[i];
            if (!Regex.IsMatch(row.Name, "^[A-Za-z0-9][A-Za-z0-9._-]*$"))
                throw Bad($"rows[{i}].name", "letters, digits, '.', '_' or '-' (it names the row's folder)", $"\"{row.Name}\"");
            if (Rows.Take(i).Any(r => r.Name == row.Name)) throw Bad($"rows[{i}].name", "a name no other row has", $"\"{row.Name}\"");
            if (row.Lr is { } lr && (!(lr > 0) || double.IsInfinity(lr))) throw Bad($"rows[{i}].lr", "a positive number", lr);
        }
        _ = Runs(path); // every method and option is checked before anything trains
    }

    /// <summary>The rows as comparison runs: each method at the budget <see cref="R"/> with the row's options set and validated.</summary>
    public IReadOnlyList<MethodRun> Runs(string path) => Rows.Select((row, i) => new MethodRun(row.Name, row.Configure(R, $"{path}: rows[{i}]"), row.Lr)).ToList();
}

/// <summary>One row of an <see cref="AblationRecipe"/>: a method, its option overrides (JSON option names, as in adapter_config.json) and, optionally, its own learning rate.</summary>
public sealed record AblationRow
{
    /// <summary>The row's label and folder name.</summary>
    [JsonRequired] public string Name { get; init; } = "";
    /// <summary>A registered method (<see cref="PeftMethods"/>).</summary>
    [JsonRequired] public string Method { get; init; } = "";
    /// <summary>Option name → value, applied to the method's configuration at the recipe's budget.</summary>
    public JsonObject? Options { get; init; }
    /// <summary>A fixed learning rate (no dev selection for this row).</summary>
    public double? Lr { get; init; }
    /// <summary>What the paper reports for this setting, shown next to the result.</summary>
    public string? Paper { get; init; }

    internal AdapterConfig? Configure(int r, string where)
    {
        PeftMethod method;
        try { method = PeftMethods.Get(Method); }
        catch (InvalidOptionException e) { throw new PeftSharpException($"{where}.method \"{Method}\": {e.Problem}"); }
        var config = method.ForBudget(r);
        foreach (var (name, node) in Options ?? [])
        {
            if (config is null) throw new PeftSharpException($"{where}.options: {method.Name} has no options");
            var option = MethodOptions.Of(config.GetType()).FirstOrDefault(o => o.Name == name)
                ?? throw new PeftSharpException($"{where}.options: '{name}' is not an option of {method.Name} (its options: {string.Join(", ", MethodOptions.Of(config.GetType()).Select(o => o.Name))})");
            object? value;
            try { value = node?.Deserialize(option.Property.PropertyType, AdapterConfigFile.SerializerOptions); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new PeftSharpException($"{where}.options.{name}: expected {TypedJson.Describe(option.Property.PropertyType)}, got {TypedJson.Shown(node)}");
            }
            config = MethodOptions.With(config, name, value);
        }
        try { config?.Validate(); }
        catch (InvalidOptionException e) { throw new PeftSharpException(e.MessageFor($"{where}: '{e.Option}'")); }
        return config;
    }
}
