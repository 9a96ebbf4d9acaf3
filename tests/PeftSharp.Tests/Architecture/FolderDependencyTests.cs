using System.Text.RegularExpressions;

namespace PeftSharp.Tests.Architecture;

/// <summary>
/// The library's folders depend on each other in one direction only: file formats at the bottom, then models,
/// tokenizers and data, then the methods, training and evaluation, and the workflows on top. Read from the sources.
/// </summary>
public class FolderDependencyTests
{
    private static readonly string[] Layers = ["IO", "Models", "Tokenization", "Data", "Tuners", "Evaluation", "Training", "Workflows"];

    private static string Library()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "PeftSharp", "Tuners"))) return Path.Combine(dir.FullName, "src", "PeftSharp");
        throw new DirectoryNotFoundException("src/PeftSharp not found above " + AppContext.BaseDirectory);
    }

    private static IReadOnlyDictionary<string, HashSet<string>> Dependencies()
    {
        var pattern = new Regex(@"PeftSharp\.(" + string.Join("|", Layers) + @")\b");
        return Layers.ToDictionary(folder => folder, folder => Directory.GetFiles(Path.Combine(Library(), folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => pattern.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(target => target != folder).ToHashSet());
    }

    [Fact]
    public void No_folder_depends_on_a_folder_above_it()
    {
        var dependencies = Dependencies();
        var upward = dependencies.SelectMany(d => d.Value.Where(target => Array.IndexOf(Layers, target) > Array.IndexOf(Layers, d.Key)).Select(target => $"{d.Key} → {target}")).ToList();
        Assert.Empty(upward);
    }

    [Fact]
    public void IO_knows_no_method_and_Evaluation_does_not_depend_on_Training()
    {
        var dependencies = Dependencies();
        Assert.Empty(dependencies["IO"]);
        Assert.DoesNotContain("Training", dependencies["Evaluation"]);
        Assert.DoesNotContain("Tuners", dependencies["Evaluation"]);
    }
}
