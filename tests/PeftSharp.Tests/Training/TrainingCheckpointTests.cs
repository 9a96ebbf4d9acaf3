using PeftSharp.Training;

namespace PeftSharp.Tests.Training;

/// <summary>
/// Replacing checkpoint-N renames it to checkpoint-N.&lt;id&gt;.old, renames the new .checkpoint-N.&lt;id&gt;.partial into
/// place, then deletes the .old. The on-disk states a crash can leave between those steps are built by hand here, next
/// to folders of similar names that PeftSharp did not make, which clean-up must never touch.
/// </summary>
public class TrainingCheckpointTests
{
    private const string Id = "3f2a9c0b1d2e4f5a6b7c8d9e0f1a2b3c"; // the 32 hex digits of a Guid "N"

    /// <summary>A folder as PeftSharp writes it (marked), or as a user might make one (<paramref name="ours"/> false).</summary>
    private static string Checkpoint(string parent, string name, string content, bool ours = true)
    {
        var dir = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        File.WriteAllText(Path.Combine(dir, TrainingCheckpoint.ProgressFile), content);
        if (ours) File.WriteAllBytes(Path.Combine(dir, TrainingCheckpoint.MarkerFile), []);
        return dir;
    }

    private static string Output() => Directory.CreateTempSubdirectory("peft-ckpt-").FullName;

    private static string[] Names(string dir) => Directory.GetDirectories(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_crash_between_the_two_renames_is_undone_by_recovery()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-10", "ten");
        Checkpoint(output, $"checkpoint-20.{Id}.old", "twenty"); // checkpoint-20 moved aside, its replacement never moved in
        Checkpoint(output, $".checkpoint-20.{Id}.partial", "unfinished");
        Directory.CreateDirectory(Path.Combine(output, $".checkpoint-30.{Id}.partial")); // killed before even its marker

        TrainingCheckpoint.Recover(output);

        Assert.Equal([10L, 20L], TrainingCheckpoint.List(output).Select(c => c.Step));
        Assert.Equal("twenty", File.ReadAllText(Path.Combine(output, "checkpoint-20", TrainingCheckpoint.ProgressFile)));
        Assert.Equal(["checkpoint-10", "checkpoint-20"], Names(output));
    }

    [Fact]
    public void A_crash_after_the_new_checkpoint_is_in_place_deletes_the_old_one()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-20", "new");
        Checkpoint(output, $"checkpoint-20.{Id}.old", "old");

        TrainingCheckpoint.Recover(output);

        Assert.Equal(Path.Combine(output, "checkpoint-20"), TrainingCheckpoint.Find(output));
        Assert.Equal("new", File.ReadAllText(Path.Combine(output, "checkpoint-20", TrainingCheckpoint.ProgressFile)));
        Assert.Equal(["checkpoint-20"], Names(output));
    }

    [Fact]
    public void A_checkpoint_that_only_exists_as_its_old_copy_is_found_there_without_touching_the_folder()
    {
        var output = Output();
        var copy = Checkpoint(output, $"checkpoint-30.{Id}.old", "thirty");

        Assert.Equal(copy, TrainingCheckpoint.Find(Path.Combine(output, "checkpoint-30")));
        Assert.Equal(copy, TrainingCheckpoint.Find(output));
        Assert.Equal([$"checkpoint-30.{Id}.old"], Names(output)); // finding reads only; recovery happens under the folder's lock
    }

    [Fact]
    public void Clean_up_never_renames_or_deletes_folders_PeftSharp_did_not_make()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-14", "ours");
        Checkpoint(output, "checkpoint-16", "ours");
        Checkpoint(output, "checkpoint-14.old", "a user's backup", ours: false);
        Checkpoint(output, "checkpoint-3.x.old", "a user's folder", ours: false);
        Checkpoint(output, $"checkpoint-5.{Id}.old", "looks like ours, is not marked", ours: false);
        Checkpoint(output, $".checkpoint-7.{Id}.partial", "not marked, not empty", ours: false);
        Checkpoint(output, "checkpoint-2", "a user's copy of a checkpoint", ours: false);

        TrainingCheckpoint.Recover(output);
        TrainingCheckpoint.Prune(output, keep: 1);
        TrainingCheckpoint.DeleteAll(output);

        Assert.Equal([$".checkpoint-7.{Id}.partial", "checkpoint-14.old", "checkpoint-2", "checkpoint-3.x.old", $"checkpoint-5.{Id}.old"], Names(output));
        Assert.Equal("a user's backup", File.ReadAllText(Path.Combine(output, "checkpoint-14.old", TrainingCheckpoint.ProgressFile)));
    }
}
