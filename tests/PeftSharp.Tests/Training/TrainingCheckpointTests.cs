using PeftSharp.Training;

namespace PeftSharp.Tests.Training;

/// <summary>
/// Replacing checkpoint-N renames it to checkpoint-N.&lt;id&gt;.old, renames the new .checkpoint-N.&lt;id&gt;.partial into
/// place, then deletes the .old. The on-disk states a crash can leave between those steps are built by hand here.
/// </summary>
public class TrainingCheckpointTests
{
    static string Checkpoint(string parent, string name, string content)
    {
        var dir = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        File.WriteAllText(Path.Combine(dir, TrainingCheckpoint.ProgressFile), content);
        return dir;
    }

    static string Output() => Directory.CreateTempSubdirectory("peft-ckpt-").FullName;

    [Fact]
    public void A_crash_between_the_two_renames_is_undone_when_checkpoints_are_listed()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-10", "ten");
        Checkpoint(output, "checkpoint-20.3f2a9c.old", "twenty"); // checkpoint-20 moved aside, its replacement never moved in
        Checkpoint(output, ".checkpoint-20.77b1e0.partial", "unfinished");

        var list = TrainingCheckpoint.List(output);

        Assert.Equal([10L, 20L], list.Select(c => c.Step));
        Assert.Equal("twenty", File.ReadAllText(Path.Combine(output, "checkpoint-20", TrainingCheckpoint.ProgressFile)));
        Assert.Equal(["checkpoint-10", "checkpoint-20"], Directory.GetDirectories(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_crash_after_the_new_checkpoint_is_in_place_deletes_the_old_one()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-20", "new");
        Checkpoint(output, "checkpoint-20.3f2a9c.old", "old");

        Assert.Equal(Path.Combine(output, "checkpoint-20"), TrainingCheckpoint.Resolve(output));
        Assert.Equal("new", File.ReadAllText(Path.Combine(output, "checkpoint-20", TrainingCheckpoint.ProgressFile)));
        Assert.Equal(["checkpoint-20"], Directory.GetDirectories(output).Select(Path.GetFileName));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_that_only_exists_as_its_old_copy_recovers_it()
    {
        var output = Output();
        Checkpoint(output, "checkpoint-30.0a0b0c.old", "thirty");
        var path = Path.Combine(output, "checkpoint-30");

        Assert.Equal(path, TrainingCheckpoint.Resolve(path));
        Assert.Equal("thirty", File.ReadAllText(Path.Combine(path, TrainingCheckpoint.ProgressFile)));
    }
}
