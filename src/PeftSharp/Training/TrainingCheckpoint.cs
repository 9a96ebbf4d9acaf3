using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>Where the loop stands: enough, with the tensors of the checkpoint, to continue bit for bit.</summary>
internal sealed record TrainingProgress
{
    public long GlobalStep { get; init; }
    public int Epoch { get; init; }
    /// <summary>Micro-batches of the current epoch already consumed.</summary>
    public long MicroBatchInEpoch { get; init; }
    public double? BestMetric { get; init; }
    public long? BestStep { get; init; }
    public int EvaluationsWithoutImprovement { get; init; }
    /// <summary>Wall-clock time of the training loop so far, so that a resumed run's elapsed time continues.</summary>
    public double ElapsedSeconds { get; init; }
}

/// <summary>
/// A resumable checkpoint folder <c>checkpoint-&lt;step&gt;/</c>: the trained result (adapter or model, loadable as is),
/// <c>training_state.safetensors</c> (exact trainable values, optimizer moments, method state, torch RNG) and
/// <c>trainer_state.json</c>. Written into a temporary folder and renamed into place, so a crash leaves the
/// previous checkpoints intact and never a half-written one; a crash while replacing an existing checkpoint is
/// undone the next time the folder is listed (see <see cref="Recover"/>).
/// </summary>
internal static class TrainingCheckpoint
{
    public const string StateFile = "training_state.safetensors";
    public const string ProgressFile = "trainer_state.json";
    const string Prefix = "checkpoint-";
    const string PartialSuffix = ".partial", OldSuffix = ".old"; // .checkpoint-N.<guid>.partial while written; checkpoint-N.<guid>.old while replaced

    public static string PathFor(string outputDirectory, long step) => Path.Combine(outputDirectory, $"{Prefix}{step}");

    public static void Save(string outputDirectory, ITrainable trainable, Optimizer optimizer, TrainingProgress progress, string fingerprint)
    {
        var final = PathFor(outputDirectory, progress.GlobalStep);
        var temp = Path.Combine(outputDirectory, $".{Prefix}{progress.GlobalStep}.{Guid.NewGuid():N}{PartialSuffix}");
        Directory.CreateDirectory(temp);
        try
        {
            using var scope = NewDisposeScope();
            trainable.SaveResult(temp);
            var (methodTensors, methodValues) = trainable.SaveMethodState();
            var tensors = new Dictionary<string, Tensor>();
            foreach (var p in trainable.TrainableParameters()) tensors["param." + p.Name] = p.Parameter.detach();
            foreach (var (name, t) in optimizer.StateTensors()) tensors["optimizer." + name] = t;
            foreach (var (name, t) in methodTensors) tensors["method." + name] = t;
            tensors["rng.torch"] = get_rng_state();
            SafetensorsWriter.Write(Path.Combine(temp, StateFile), tensors);
            var json = new JsonObject
            {
                ["fingerprint"] = fingerprint,
                ["method"] = trainable.MethodName,
                ["optimizer_steps"] = optimizer.StepCount,
                ["progress"] = JsonSerializer.SerializeToNode(progress),
                ["method_state"] = new JsonObject(methodValues.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            };
            AtomicFile.WriteAllText(Path.Combine(temp, ProgressFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Replace(temp, final);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    static void Replace(string temp, string final)
    {
        if (!Directory.Exists(final)) { Directory.Move(temp, final); return; }
        var old = final + $".{Guid.NewGuid():N}{OldSuffix}";
        Directory.Move(final, old);
        Directory.Move(temp, final);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Undoes what a crash in <see cref="Save"/> can leave: a <c>checkpoint-N.*.old</c> whose <c>checkpoint-N</c> is
    /// gone (killed between the two renames of <see cref="Replace"/>) is renamed back, one whose replacement is in
    /// place is deleted, and unfinished <c>.checkpoint-N.*.partial</c> folders are deleted.
    /// </summary>
    static void Recover(string outputDirectory)
    {
        foreach (var partial in Directory.GetDirectories(outputDirectory, $".{Prefix}*{PartialSuffix}")) Directory.Delete(partial, recursive: true);
        foreach (var old in Directory.GetDirectories(outputDirectory, $"{Prefix}*{OldSuffix}").Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(old);
            var final = System.IO.Path.Combine(outputDirectory, name[..name.IndexOf('.', StringComparison.Ordinal)]);
            if (Directory.Exists(final)) Directory.Delete(old, recursive: true);
            else Directory.Move(old, final);
        }
    }

    /// <summary>Checkpoint folders in <paramref name="outputDirectory"/>, oldest first (after <see cref="Recover"/>).</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory)) return [];
        Recover(outputDirectory);
        return Directory.GetDirectories(outputDirectory, Prefix + "*")
            .Select(d => (Ok: long.TryParse(System.IO.Path.GetFileName(d)[Prefix.Length..], out var s), Step: s, Path: d))
            .Where(c => c.Ok && File.Exists(System.IO.Path.Combine(c.Path, ProgressFile)))
            .OrderBy(c => c.Step).Select(c => (c.Step, c.Path)).ToList();
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints (0 = keep all).</summary>
    public static void Prune(string outputDirectory, int keep)
    {
        if (keep <= 0) return;
        var all = List(outputDirectory);
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - keep))) Directory.Delete(path, recursive: true);
    }

    /// <summary>A checkpoint folder, or the newest checkpoint inside an output folder.</summary>
    public static string Resolve(string path)
    {
        // A checkpoint-N given by name may only exist as the .old of an interrupted replacement.
        if (!Directory.Exists(path) && Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent && Directory.Exists(parent)) Recover(parent);
        if (File.Exists(Path.Combine(path, ProgressFile))) return path;
        var newest = List(path).LastOrDefault();
        return newest.Path ?? throw new PeftSharpException($"{path}: not a checkpoint folder (no {ProgressFile}) and contains no checkpoint-<step> folder");
    }

    /// <summary>Restores parameters, optimizer, method state and RNG; returns where the loop stood.</summary>
    public static TrainingProgress Load(string checkpoint, ITrainable trainable, Optimizer optimizer, string fingerprint)
    {
        var progressPath = Path.Combine(checkpoint, ProgressFile);
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(progressPath))!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            throw new PeftSharpException($"{progressPath}: unreadable trainer state: {e.Message}");
        }
        var saved = json["fingerprint"]?.GetValue<string>();
        if (saved != fingerprint)
            throw new PeftSharpException($"{checkpoint}: it was written by a run with different settings ({saved}); resume with the same method, data and options ({fingerprint})");
        using var file = SafetensorsFile.Open(Path.Combine(checkpoint, StateFile));
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var p in trainable.TrainableParameters())
            {
                var key = "param." + p.Name;
                if (!file.Contains(key)) throw new PeftSharpException($"{file.FilePath}: tensor '{key}' is missing");
                p.Parameter.copy_(file.ReadTensor(key, p.Parameter.dtype, p.Parameter.device));
            }
        Dictionary<string, Tensor> Section(string prefix) => file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], k => file.ReadTensor(k));
        optimizer.LoadStateTensors(Section("optimizer."), json["optimizer_steps"]!.GetValue<long>());
        var values = json["method_state"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        trainable.LoadMethodState(Section("method."), values);
        set_rng_state(file.ReadTensor("rng.torch"));
        return json["progress"].Deserialize<TrainingProgress>()!;
    }
}
