using PeftSharp.Data;
using PeftSharp.IO;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>
/// What a command may write: never over, into or around its inputs, never into a folder another command holds, never
/// over an earlier run unless asked, and a failed command leaves nothing behind.
/// </summary>
public class OutputSafetyTests
{
    private static string NewFolder(string name) => Directory.CreateTempSubdirectory($"peft-{name}-").FullName;

    private static readonly string[] Rows = Enumerable.Range(0, 6).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 7}}"}""").ToArray();

    private static TrainSettings Run(string model, string data, string output, string method = "lora", bool overwrite = false) => new()
    {
        ModelDirectory = model, DataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm, Overwrite = overwrite,
        Adapter = PeftMethods.Get(method).ForBudget(2),
        Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 1e-2, MaxSteps = 2, BatchSize = 2, Seed = 3 },
    };

    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public void Merge_and_train_refuse_an_out_that_is_lies_inside_or_contains_the_model_however_it_is_spelled()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Rows);
        var adapter = NewFolder("adapter");
        TrainWorkflow.Run(Run(model, data, adapter));
        var link = Path.Combine(NewFolder("links"), "model-link");
        Directory.CreateSymbolicLink(link, model);
        var before = Snapshot(model);

        string[] sameFolder = [model + "/", Path.Combine(model, "..", Path.GetFileName(model)), link, link + "/."];
        foreach (var output in sameFolder)
        {
            Assert.Contains("is the model folder", Assert.Throws<InvalidOptionException>(() => MergeWorkflow.Run(model, adapter, output)).Message);
            Assert.Contains("is the model folder", Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, output, "full", overwrite: true))).Message);
        }
        Assert.Contains("lies inside the model folder", Assert.Throws<InvalidOptionException>(() => MergeWorkflow.Run(model, adapter, Path.Combine(link, "merged"))).Message);
        Assert.Contains("contains the model folder", Assert.Throws<InvalidOptionException>(() => MergeWorkflow.Run(model, adapter, Path.GetDirectoryName(model)!, overwrite: true)).Message);
        Assert.Contains("is the adapter folder", Assert.Throws<InvalidOptionException>(() => MergeWorkflow.Run(model, adapter, adapter + "/", overwrite: true)).Message);
        Assert.Contains("contains the training data", Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, Path.GetDirectoryName(data)!, overwrite: true))).Message);

        Assert.Equal(before, Snapshot(model)); // not a byte of the model folder changed, nothing was added
        Assert.False(Directory.Exists(Path.Combine(model, "merged")));
    }

    [Fact]
    public void A_folder_held_by_another_command_is_refused_with_its_process_id_and_released_on_every_exit()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Rows);
        var output = NewFolder("held");
        using (OutputFolder.Claim(output, "OutputDirectory", [], acceptExisting: true))
        {
            var e = Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, output)));
            Assert.Contains($"in use by another PeftSharp command (process {Environment.ProcessId})", e.Message);
        }
        // Released after a failure, an interruption and a success: each next run gets the folder.
        var bad = TinyHfModels.Jsonl("""{"prompt": 5}""");
        Assert.Throws<PeftSharpException>(() => TrainWorkflow.Run(Run(model, bad, output)));
        using (var cancel = new CancellationTokenSource())
        {
            cancel.Cancel();
            Assert.True(TrainWorkflow.Run(Run(model, data, output), cancel: cancel.Token).Train.Interrupted);
        }
        var resumed = Run(model, data, output);
        TrainWorkflow.Run(resumed with { Trainer = resumed.Trainer with { ResumeFrom = output } });
        using (OutputFolder.Claim(output, "OutputDirectory", [], acceptExisting: true)) { }
    }

    [Fact]
    public void Retraining_into_an_earlier_runs_folder_is_refused_unless_overwriting_which_replaces_its_checkpoints()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Rows);
        var output = NewFolder("rerun");
        var first = Run(model, data, output);
        first = first with { Trainer = first.Trainer with { MaxSteps = 16, SaveSteps = 8 } };
        TrainWorkflow.Run(first);
        var adapter = File.ReadAllBytes(Path.Combine(output, AdapterFormat.WeightsFileName));

        var e = Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, output)));
        Assert.Contains("already holds", e.Message);
        Assert.Equal(["ResumeFrom", "Overwrite"], e.Remedies);
        Assert.Equal(adapter, File.ReadAllBytes(Path.Combine(output, AdapterFormat.WeightsFileName)));

        // --keep-last 1 once kept the stale checkpoint-16 and deleted every checkpoint the new run wrote.
        var again = Run(model, data, output, overwrite: true);
        TrainWorkflow.Run(again with { Trainer = again.Trainer with { MaxSteps = 4, SaveSteps = 2, KeepLastCheckpoints = 1 } });
        Assert.Equal([4L], TrainingCheckpoint.List(output).Select(c => c.Step));
        Assert.NotEqual(adapter, File.ReadAllBytes(Path.Combine(output, AdapterFormat.WeightsFileName)));
    }

    [Fact]
    public void A_failed_run_leaves_no_folder_it_created_and_an_out_that_is_a_file_or_under_a_file_is_one_line()
    {
        var model = TinyHfModels.Gpt2();
        var bad = TinyHfModels.Jsonl("""{"prompt": "a", "completion": 5}""");
        var output = Path.Combine(NewFolder("failed"), "new", "run");
        Assert.Throws<PeftSharpException>(() => TrainWorkflow.Run(Run(model, bad, output)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(output)), "the folders the failed run created are gone");

        var file = Path.Combine(NewFolder("file"), "notes.txt");
        File.WriteAllText(file, "mine");
        var data = TinyHfModels.Jsonl(Rows);
        Assert.Contains("is a file", Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, file))).Message);
        var under = Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(Run(model, data, Path.Combine(file, "run"))));
        Assert.Equal("OutputDirectory", under.Option);
        Assert.Contains("cannot write", under.Message);
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [Fact]
    public void Temporary_files_a_killed_run_left_are_removed_and_look_alikes_kept()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Rows);
        var output = NewFolder("stale");
        var first = Run(model, data, output);
        first = first with { Trainer = first.Trainer with { SaveSteps = 1 } };
        TrainWorkflow.Run(first);
        var stale = Path.Combine(output, $".metrics.jsonl.4242.{Guid.NewGuid():N}.tmp");
        var mine = Path.Combine(output, ".notes.tmp");
        File.WriteAllText(stale, "left by SIGKILL");
        File.WriteAllText(mine, "a user's file");
        TrainWorkflow.Run(first with { Trainer = first.Trainer with { MaxSteps = 3, ResumeFrom = output } });
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(mine));
    }
}
