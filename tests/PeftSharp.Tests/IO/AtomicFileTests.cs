using PeftSharp.IO;

namespace PeftSharp.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void Interrupted_write_leaves_the_previous_file_intact()
    {
        var dir = Directory.CreateTempSubdirectory("peft-atomic-").FullName;
        var path = Path.Combine(dir, "adapter_config.json");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.BeforeCommit = _ => throw new IOException("injected fault");
        try
        {
            Assert.Throws<PeftSharpException>(() => AtomicFile.WriteAllText(path, "new")); // a write failure is one line naming the file
        }
        finally
        {
            AtomicFile.BeforeCommit = null;
        }
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
    }

    [Fact]
    public void Completed_write_replaces_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("peft-atomic-").FullName;
        var path = Path.Combine(dir, "metrics.jsonl");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }
}
