using PeftSharp.IO;
using TorchSharp;
using static PeftSharp.Tests.IO.SafetensorsTestFiles;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

public class SafetensorsCheckpointTests
{
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";

    /// <summary>A folder with two shards ("a" and "c" in the first, "b" in the second) and the given index text.</summary>
    private static string ShardedFolder(string? index = null)
    {
        using var scope = NewDisposeScope();
        var dir = TempDirectory();
        SafetensorsWriter.Write(Path.Combine(dir, Shard1), new Dictionary<string, Tensor> { ["a"] = ones(2), ["c"] = arange(3, dtype: ScalarType.Int64) });
        SafetensorsWriter.Write(Path.Combine(dir, Shard2), new Dictionary<string, Tensor> { ["b"] = full(3, 2.0f, dtype: ScalarType.BFloat16) });
        File.WriteAllText(Path.Combine(dir, SafetensorsCheckpoint.IndexFile), index ??
            $$$"""{"metadata": {"total_size": 38}, "weight_map": {"c": "{{{Shard1}}}", "b": "{{{Shard2}}}", "a": "{{{Shard1}}}"}}""");
        return dir;
    }

    [Fact]
    public void Sharded_checkpoint_routes_each_tensor_to_its_shard()
    {
        using var scope = NewDisposeScope();
        using var checkpoint = SafetensorsCheckpoint.Open(ShardedFolder());
        Assert.Equal(new[] { "a", "b", "c" }, checkpoint.Keys);
        Assert.True(checkpoint.Contains("b"));
        Assert.False(checkpoint.Contains("d"));
        Assert.Equal(new[] { 1f, 1f }, checkpoint.ReadTensor("a").data<float>().ToArray());
        Assert.Equal(new[] { 2f, 2f, 2f }, checkpoint.ReadTensor("b", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new[] { 0L, 1, 2 }, checkpoint.ReadTensor("c").data<long>().ToArray());
        Assert.Equal(SafetensorsDtype.BF16, checkpoint.GetInfo("b").Dtype);
        Assert.Equal(8 + 6 + 24, checkpoint.TotalBytes);
    }

    [Fact]
    public void Shards_open_lazily_and_a_missing_shard_is_named_when_needed()
    {
        var dir = ShardedFolder();
        File.Delete(Path.Combine(dir, Shard2));
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        using (var a = checkpoint.ReadTensor("a")) Assert.Equal(2, a.numel());
        var e = Assert.ThrowsAny<PeftSharpException>(() => checkpoint.ReadTensor("b"));
        Assert.Contains(Path.Combine(dir, Shard2), e.Message);
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void A_tensor_the_index_puts_in_the_wrong_shard_is_named()
    {
        var dir = ShardedFolder($$$"""{"weight_map": {"a": "{{{Shard2}}}", "b": "{{{Shard2}}}", "c": "{{{Shard1}}}"}}""");
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        var e = Assert.ThrowsAny<PeftSharpException>(() => checkpoint.GetInfo("a"));
        Assert.Contains(Path.Combine(dir, Shard2), e.Message);
        Assert.Contains("'a'", e.Message);
    }

    [Fact]
    public void Unknown_tensor_names_are_errors_naming_folder_and_tensor()
    {
        var dir = ShardedFolder();
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        var e = Assert.ThrowsAny<PeftSharpException>(() => checkpoint.ReadTensor("missing"));
        Assert.Contains(dir, e.Message);
        Assert.Contains("'missing'", e.Message);
    }

    [Fact]
    public void A_single_model_file_is_preferred_over_an_index()
    {
        var dir = ShardedFolder();
        SafetensorsWriter.Write(Path.Combine(dir, SafetensorsCheckpoint.SingleFile), [KeyValuePair.Create("only", ones(1))]);
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        Assert.Equal(new[] { "only" }, checkpoint.Keys);
        Assert.Equal(4, checkpoint.TotalBytes);
    }

    public static TheoryData<string, string> BadIndexes => new()
    {
        { """{"weight_map": {"a": "../secret.safetensors"}}""", "weight_map.a: expected a shard file name in the same folder" },
        { """{"weight_map": {"a": "/etc/secret.safetensors"}}""", "weight_map.a" },
        { """{"weight_map": {"a": ".."}}""", "weight_map.a" },
        { """{"weight_map": {"a": 3}}""", "weight_map.a" },
        { """{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}""", "tensor 'a' listed twice" },
        { """{"metadata": {}}""", "missing object 'weight_map'" },
        { """{"weight_map": []}""", "missing object 'weight_map'" },
        { """["weight_map"]""", "expected a JSON object" },
        { """{"weight_map": {""", "not valid UTF-8 JSON" },
        { """{"weight_map": {"\udc00": "x.safetensors"}}""", "not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(BadIndexes))]
    public void Malformed_indexes_name_the_index_file_and_the_entry(string index, string expected)
    {
        var dir = TempDirectory();
        var path = Path.Combine(dir, SafetensorsCheckpoint.IndexFile);
        File.WriteAllText(path, index);
        var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsCheckpoint.Open(dir));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("pytorch_model.bin.index.json")]
    public void Pickle_only_checkpoints_get_a_conversion_message(string pickleFile)
    {
        var dir = TempDirectory();
        File.WriteAllBytes(Path.Combine(dir, pickleFile), [0x80, 0x02]);
        var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsCheckpoint.Open(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("never loads pickle", e.Message);
        Assert.Contains("from safetensors.torch import save_file", e.Message);
        Assert.Contains("safe_serialization=True", e.Message);
    }

    [Fact]
    public void A_folder_without_weights_or_no_folder_is_an_error_naming_it()
    {
        var dir = TempDirectory();
        Assert.Contains("no model.safetensors or model.safetensors.index.json", Assert.ThrowsAny<PeftSharpException>(() => SafetensorsCheckpoint.Open(dir)).Message);
        var absent = Path.Combine(dir, "absent");
        Assert.Contains(absent, Assert.ThrowsAny<PeftSharpException>(() => SafetensorsCheckpoint.Open(absent)).Message);
    }
}
