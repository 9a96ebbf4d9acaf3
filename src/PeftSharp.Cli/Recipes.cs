using System.CommandLine;
using System.Text.Json;

namespace PeftSharp.Cli;

/// <summary>
/// A recipe is a JSON object of option names (without "--") and values of the command it is given to (<c>peft train</c>,
/// <c>peft compare</c>). Its entries become extra command-line arguments for every option not given explicitly, so the
/// command line always wins. "description", "source" and "notes" are documentation and ignored.
/// </summary>
internal static class Recipes
{
    private static readonly string[] Documentation = ["description", "source", "notes"];

    /// <summary><paramref name="args"/> (a command line of <paramref name="command"/>) with the --recipe file's settings added; unchanged when the command takes no recipe or none is given.</summary>
    public static string[] Expand(string[] args, Command command)
    {
        var knownOptions = command.Options.Select(o => o.Name.TrimStart('-')).ToHashSet();
        if (!knownOptions.Contains("recipe") || command.Name == Commands.AblateCommand.Name) return args; // ablate reads its own format
        int at = Array.FindIndex(args, a => a == "--recipe" || a.StartsWith("--recipe=", StringComparison.Ordinal));
        if (at < 0) return args;
        string path = args[at].Contains('=') ? args[at]["--recipe=".Length..] : at + 1 < args.Length ? args[at + 1] : throw new PeftSharpException("--recipe needs a file");
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: recipe not found");
        JsonElement recipe;
        try { recipe = JsonDocument.Parse(File.ReadAllText(path)).RootElement; }
        catch (JsonException e) { throw new PeftSharpException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}"); }
        if (recipe.ValueKind != JsonValueKind.Object) throw new PeftSharpException($"{path}: a recipe is a JSON object of option names and values");

        var given = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=', 2)[0][2..]).ToHashSet();
        var extra = new List<string>();
        foreach (var entry in recipe.EnumerateObject())
        {
            if (Documentation.Contains(entry.Name)) continue;
            if (entry.Name is "recipe" or "model" || !knownOptions.Contains(entry.Name))
                throw new PeftSharpException($"{path}: '{entry.Name}' is not an option a recipe can set (see peft {command.Name} --help)");
            if (given.Contains(entry.Name)) continue;
            extra.Add("--" + entry.Name);
            extra.Add(entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString()!,
                JsonValueKind.Number => entry.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw new PeftSharpException($"{path}: '{entry.Name}' must be a string, number or boolean"),
            });
        }
        return [.. args, .. extra];
    }
}
