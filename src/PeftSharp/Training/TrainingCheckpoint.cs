using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
/// <c>trainer_state.json</c> (where the loop stands and the run's <see cref="RunFingerprint"/>). Written into a
/// temporary folder and renamed into place, so a crash leaves the previous checkpoints intact and never a half-written
/// one; a crash while replacing an existing checkpoint is undone by <see cref="Recover"/>. Only parameters that are all
/// finite are written: a checkpoint that exists is a good one.
/// </summary>
/// <remarks>
/// Clean-up touches only what PeftSharp made: folders of the exact names below that carry <see cref="MarkerFile"/>
/// (written first into every checkpoint). A user's <c>checkpoint-14.old</c> or <c>checkpoint-3.x.old</c> is never
/// renamed or deleted.
/// </remarks>
internal static partial class TrainingCheckpoint
{
    public const string StateFile = "training_state.safetensors";
    public const string ProgressFile = "trainer_state.json";
    public const string MarkerFile = ".peftsharp-checkpoint";
    private const int Format = 2; // 2: the run's settings are recorded
    private const string Prefix = "checkpoint-";

    [GeneratedRegex(@"^checkpoint-(\d+)$")]
    private static partial Regex Final();
    [GeneratedRegex(@"^\.checkpoint-(\d+)\.[0-9a-f]{32}\.partial$")]
    private static partial Regex Partial(); // while written
    [GeneratedRegex(@"^checkpoint-(\d+)\.[0-9a-f]{32}\.old$")]
    private static partial Regex Old(); // while replaced

    public static string PathFor(string outputDirectory, long step) => Path.Combine(outputDirectory, $"{Prefix}{step}");

    private static bool IsOurs(string folder) => File.Exists(Path.Combine(folder, MarkerFile));

    /// <summary>Throws unless every trainable value is finite: a checkpoint or result is written only from good parameters.</summary>
    public static void RequireFinite(ITrainable trainable, long step, string lastGood)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in trainable.TrainableParameters())
        {
            long bad = p.Parameter.isfinite().logical_not().sum().item<long>();
            if (bad > 0)
                throw new PeftSharpException(string.Create(CultureInfo.InvariantCulture,
                    $"after step {step} parameter '{p.Name}' holds {bad:N0} non-finite value(s) (NaN or ±Inf): training diverged and stopped. Lower the learning rate or clip gradients; the last good checkpoint is {lastGood}"));
        }
    }

    public static void Save(string outputDirectory, ITrainable trainable, Optimizer optimizer, TrainingProgress progress, RunFingerprint fingerprint,
        long totalSteps, IReadOnlyList<string>? commandLine)
    {
        var final = PathFor(outputDirectory, progress.GlobalStep);
        var temp = Path.Combine(outputDirectory, $".{Prefix}{progress.GlobalStep}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(temp);
            File.WriteAllBytes(Path.Combine(temp, MarkerFile), []);
            using var scope = NewDisposeScope();
            trainable.SaveResult(temp);
            var (methodTensors, methodValues) = trainable.SaveMethodState();
            var tensors = new Dictionary<string, Tensor>();
            foreach (var p in trainable.TrainableParameters()) tensors["param." + p.Name] = p.Parameter.detach();
            foreach (var (name, t) in optimizer.StateTensors()) tensors["optimizer." + name] = t;
            foreach (var (name, t) in methodTensors) tensors["method." + name] = t;
            tensors["rng.torch"] = get_rng_state();
            SafetensorsWriter.Write(Path.Combine(temp, StateFile), tensors);
            var json = fingerprint.ToJson();
            json["format"] = Format;
            json["method"] = trainable.MethodName;
            json["total_steps"] = totalSteps;
            json["command_line"] = commandLine is null ? null : new JsonArray(commandLine.Select(a => (JsonNode?)a).ToArray());
            json["optimizer_steps"] = optimizer.StepCount;
            json["progress"] = JsonSerializer.SerializeToNode(progress);
            json["method_state"] = new JsonObject(methodValues.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
            AtomicFile.WriteAllText(Path.Combine(temp, ProgressFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Replace(temp, final);
        }
        catch (Exception e) when (WriteFailure.IsWriteError(e))
        {
            throw WriteFailure.For(final, e);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static void Replace(string temp, string final)
    {
        if (!Directory.Exists(final)) { Directory.Move(temp, final); return; }
        var old = final + $".{Guid.NewGuid():N}.old";
        Directory.Move(final, old);
        Directory.Move(temp, final);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Undoes what a crash in <see cref="Save"/> can leave in <paramref name="outputDirectory"/>: a
    /// <c>checkpoint-N.&lt;id&gt;.old</c> whose <c>checkpoint-N</c> is gone (killed between the two renames of
    /// <see cref="Replace"/>) is renamed back, one whose replacement is in place is deleted, and unfinished
    /// <c>.checkpoint-N.&lt;id&gt;.partial</c> folders are deleted — each only if PeftSharp marked it (or, for a
    /// partial folder killed before its marker, if it is empty). Call it only while holding the output folder.
    /// </summary>
    public static void Recover(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory)) return;
        foreach (var partial in Folders(outputDirectory, Partial()))
            if (IsOurs(partial) || !Directory.EnumerateFileSystemEntries(partial).Any()) Directory.Delete(partial, recursive: true);
        foreach (var old in Folders(outputDirectory, Old()).Where(IsOurs).Order(StringComparer.Ordinal))
        {
            var final = PathFor(outputDirectory, long.Parse(Old().Match(Path.GetFileName(old)).Groups[1].Value, CultureInfo.InvariantCulture));
            if (Directory.Exists(final)) Directory.Delete(old, recursive: true);
            else Directory.Move(old, final);
        }
    }

    private static IEnumerable<string> Folders(string directory, Regex name) =>
        Directory.GetDirectories(directory).Where(d => name.IsMatch(Path.GetFileName(d)));

    /// <summary>Complete checkpoint folders (<c>checkpoint-N</c> with a trainer state) in <paramref name="outputDirectory"/>, oldest first. Reads only.</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory)) return [];
        return Folders(outputDirectory, Final())
            .Where(d => File.Exists(Path.Combine(d, ProgressFile)))
            .Select(d => (Step: long.Parse(Final().Match(Path.GetFileName(d)).Groups[1].Value, CultureInfo.InvariantCulture), Path: d))
            .OrderBy(c => c.Step).ToList();
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints PeftSharp wrote (0 = keep all).</summary>
    public static void Prune(string outputDirectory, int keep)
    {
        if (keep <= 0) return;
        var ours = List(outputDirectory).Where(c => IsOurs(c.Path)).ToList();
        foreach (var (_, path) in ours.Take(Math.Max(0, ours.Count - keep))) Directory.Delete(path, recursive: true);
    }

    /// <summary>Deletes every checkpoint PeftSharp wrote in <paramref name="outputDirectory"/> (an overwrite of its run). Call it only while holding the folder.</summary>
    public static void DeleteAll(string outputDirectory)
    {
        Recover(outputDirectory);
        foreach (var (_, path) in List(outputDirectory).Where(c => IsOurs(c.Path))) Directory.Delete(path, recursive: true);
    }

    /// <summary>
    /// The checkpoint <paramref name="path"/> names — a checkpoint folder, or the newest checkpoint in an output folder;
    /// a checkpoint that only exists as the <c>.old</c> copy of an interrupted replacement is read from there. Reads only.
    /// </summary>
    public static string Find(string path)
    {
        if (File.Exists(Path.Combine(path, ProgressFile))) return path;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
        if (Final().Match(name) is { Success: true } m && Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent && Directory.Exists(parent))
        {
            var copy = Folders(parent, Old()).FirstOrDefault(d => Old().Match(Path.GetFileName(d)).Groups[1].Value == m.Groups[1].Value && IsOurs(d));
            if (copy is not null && File.Exists(Path.Combine(copy, ProgressFile))) return copy;
        }
        var newest = List(path).LastOrDefault();
        if (newest.Path is not null) return newest.Path;
        var interrupted = Directory.Exists(path)
            ? Folders(path, Old()).Where(d => IsOurs(d) && File.Exists(Path.Combine(d, ProgressFile)))
                .MaxBy(d => long.Parse(Old().Match(Path.GetFileName(d)).Groups[1].Value, CultureInfo.InvariantCulture))
            : null;
        return interrupted ?? throw new PeftSharpException($"{path}: not a checkpoint folder (no {ProgressFile}) and contains no checkpoint-<step> folder");
    }

    /// <summary>The checkpoint <paramref name="path"/> names, with the command line its run recorded. Reads only.</summary>
    public static ResumePoint FindResumePoint(string path)
    {
        var checkpoint = Find(path);
        var state = ReadState(checkpoint);
        var output = Path.GetDirectoryName(Path.GetFullPath(Path.TrimEndingDirectorySeparator(checkpoint)))!;
        return new ResumePoint(checkpoint, output, state.Progress.GlobalStep, state.CommandLine);
    }

    /// <summary>
    /// Restores parameters, optimizer, method state and RNG after checking that the run may continue this checkpoint;
    /// returns where the loop stood and how many steps its run had.
    /// </summary>
    public static (TrainingProgress Progress, long TotalSteps) Load(string checkpoint, ITrainable trainable, Optimizer optimizer, RunFingerprint fingerprint, long totalSteps)
    {
        var state = ReadState(checkpoint);
        var recorded = state.Fingerprint
            ?? throw new PeftSharpException($"{checkpoint}: written by an earlier PeftSharp that did not record the run's settings; it cannot be resumed safely");
        fingerprint.RequireSameAs(recorded, checkpoint);
        if (totalSteps < state.Progress.GlobalStep)
            throw new InvalidOptionException(checkpoint, nameof(TrainerOptions.MaxSteps),
                $"at least {state.Progress.GlobalStep} (the step the checkpoint is at)", totalSteps);
        using var file = SafetensorsFile.Open(Path.Combine(checkpoint, StateFile));
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var p in trainable.TrainableParameters())
            {
                var key = "param." + p.Name;
                if (!file.Contains(key)) throw new PeftSharpException($"{file.FilePath}: tensor '{key}' is missing");
                if (!file.GetInfo(key).Shape.SequenceEqual(p.Parameter.shape))
                    throw new PeftSharpException($"{file.FilePath}: tensor '{key}' has shape {ShapeText.Of(file.GetInfo(key).Shape)}, the run's parameter {ShapeText.Of(p.Parameter.shape)}");
                var value = file.ReadTensor(key, p.Parameter.dtype, p.Parameter.device);
                NonFiniteWeights.Require(value, file.FilePath, key);
                p.Parameter.copy_(value);
            }
        Dictionary<string, Tensor> Section(string prefix) => file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], k => file.ReadTensor(k));
        optimizer.LoadStateTensors(Section("optimizer."), state.OptimizerSteps);
        trainable.LoadMethodState(Section("method."), state.MethodState);
        set_rng_state(file.ReadTensor("rng.torch"));
        return (state.Progress, state.TotalSteps);
    }

    /// <summary>trainer_state.json as read back: any damage is one line naming the file.</summary>
    private sealed record SavedState(TrainingProgress Progress, long TotalSteps, long OptimizerSteps, IReadOnlyDictionary<string, string> MethodState, RunFingerprint? Fingerprint,
        IReadOnlyList<string>? CommandLine);

    private static SavedState ReadState(string checkpoint)
    {
        var path = Path.Combine(checkpoint, ProgressFile);
        var json = TypedJson.ReadObject(path);
        try
        {
            return new SavedState(
                json["progress"].Deserialize<TrainingProgress>() ?? throw new FormatException("'progress' is missing"),
                json["total_steps"]?.GetValue<long>() ?? 0,
                json["optimizer_steps"]?.GetValue<long>() ?? throw new FormatException("'optimizer_steps' is missing"),
                (json["method_state"] as JsonObject ?? throw new FormatException("'method_state' is missing"))
                    .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
                RunFingerprint.FromJson(json, path),
                (json["command_line"] as JsonArray)?.Select(a => a!.GetValue<string>()).ToList());
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new PeftSharpException($"{path}: damaged trainer state ({e.Message}); resume from another checkpoint");
        }
    }
}
