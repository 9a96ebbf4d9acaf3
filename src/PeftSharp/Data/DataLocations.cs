using PeftSharp.Data;

namespace PeftSharp.Data;

/// <summary>Finds the split files of a dataset folder (GLUE's official TSV layout or HuggingFace parquet exports).</summary>
internal static class DataLocations
{
    private static readonly Dictionary<string, string> GlueFolders = new()
    {
        ["cola"] = "CoLA", ["sst2"] = "SST-2", ["mrpc"] = "MRPC", ["qqp"] = "QQP", ["stsb"] = "STS-B",
        ["mnli"] = "MNLI", ["qnli"] = "QNLI", ["rte"] = "RTE", ["wnli"] = "WNLI",
    };

    /// <summary>The file of one GLUE split: <paramref name="path"/> itself when it is a file, else searched inside the folder.</summary>
    public static string GlueSplit(string path, GlueTask task, bool train)
    {
        if (File.Exists(path)) return path;
        if (!Directory.Exists(path)) throw new PeftSharpException($"{path}: no such file or folder");
        string[] tsv = train ? ["train.tsv"] : task.Name == "mnli" ? ["dev_matched.tsv"] : ["dev.tsv"];
        string[] parquet = train ? ["train"] : task.Name == "mnli" ? ["validation_matched"] : ["validation"];
        var folders = new[] { path, Path.Combine(path, GlueFolders[task.Name]), Path.Combine(path, task.Name) };
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var name in tsv)
                if (File.Exists(Path.Combine(folder, name))) return Path.Combine(folder, name);
            foreach (var prefix in parquet)
            {
                var match = Directory.GetFiles(folder, prefix + "*.parquet").Order(StringComparer.Ordinal).FirstOrDefault();
                if (match is not null) return match;
            }
        }
        throw new PeftSharpException(
            $"{path}: no {(train ? "training" : "evaluation")} file for GLUE {task.Name}: looked for {string.Join(" or ", tsv)} and {string.Join(" or ", parquet)}-*.parquet in {string.Join(", ", folders)}");
    }

    /// <summary>The labels.json that belongs to a data file: next to it.</summary>
    public static string LabelsFile(string dataPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataPath))!, "labels.json");

    /// <summary>Class names from a labels.json (a JSON list of names) next to the data file, if present.</summary>
    public static IReadOnlyList<string>? LabelNames(string dataPath)
    {
        var file = LabelsFile(dataPath);
        if (!File.Exists(file)) return null;
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(file))
                ?? throw new PeftSharpException($"{file}: expected a JSON list of class names");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new PeftSharpException($"{file}: expected a JSON list of class names ({e.Message})");
        }
    }
}
