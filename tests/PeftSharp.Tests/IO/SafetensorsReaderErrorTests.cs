using System.Buffers.Binary;
using PeftSharp.IO;
using TorchSharp;
using static PeftSharp.Tests.IO.SafetensorsTestFiles;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

/// <summary>One case per rule of the format: each is a <see cref="PeftSharpException"/> naming the file and the culprit.</summary>
public class SafetensorsReaderErrorTests
{
    private const string T = """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""";

    /// <summary>(header, culprit the message must name besides the file, what it must say); the data area is 8 zero bytes.</summary>
    public static TheoryData<string, string, string> MalformedHeaders => new()
    {
        { T[..^1], "header", "not valid UTF-8 JSON" },
        { "", "header", "not valid UTF-8 JSON" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8],}}""", "header", "not valid UTF-8 JSON" }, // trailing comma
        { """[1, 2]""", "header", "must be a JSON object" },
        { """{"t": 5}""", "'t'", "expected an object" },
        { """{"t": {"shape": [2], "data_offsets": [0, 8]}}""", "'t'", "missing or non-string 'dtype'" },
        { """{"t": {"dtype": 4, "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "missing or non-string 'dtype'" },
        { """{"t": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "unknown dtype \"F33\" (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)" },
        { """{"t": {"dtype": "f32", "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "unknown dtype" },
        { """{"t": {"dtype": "F32", "data_offsets": [0, 8]}}""", "'t'", "missing or non-list 'shape'" },
        { """{"t": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}}""", "'t'", "missing or non-list 'shape'" },
        { """{"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", "'t'", "non-negative integers, got -2" },
        { """{"t": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}""", "'t'", "non-negative integers, got 2.5" },
        { """{"t": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}}""", "'t'", "non-negative integers" },
        { """{"t": {"dtype": "F32", "shape": [2]}}""", "'t'", "'data_offsets' must be a list [begin, end]" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4, 8]}}""", "'t'", "'data_offsets' must be a list [begin, end]" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": ["0", 8]}}""", "'t'", "'data_offsets' must be non-negative integers" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}""", "'t'", "'data_offsets' must be non-negative integers" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", "'t'", "begin after end" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}""", "'t'", "outside the data area of 8 bytes" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 99999999999999999999]}}""", "'t'", "non-negative integers" },
        { """{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", "'t'", "holds 8 bytes but shape [3] of F32 needs 12" },
        { """{"t": {"dtype": "F64", "shape": [], "data_offsets": [0, 4]}}""", "'t'", "holds 4 bytes but shape [] of F64 needs 8" },
        { """{"t": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}""", "'t'", "too large" },
        { """{"t": {"dtype": "F64", "shape": [1152921504606846976], "data_offsets": [0, 8]}}""", "'t'", "too large" },
        { """{"t": {"dtype": "F32", "shape": [0, 4611686018427387904, 4], "data_offsets": [0, 0]}}""", "'t'", "too large" }, // empty, but no strides
        { """{"u": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "v": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", "'v'", "overlaps tensor 'u'" },
        { """{"u": {"dtype": "U8", "shape": [8], "data_offsets": [0, 8]}, "v": {"dtype": "U8", "shape": [2], "data_offsets": [3, 5]}}""", "'v'", "overlaps tensor 'u'" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "appears twice" },
        { """{"t": {"dtype": "F32", "dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}""", "'t'", "field 'dtype' appears twice" },
        { """{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "offsets": [0, 8]}}""", "'t'", "unexpected field 'offsets'" },
        { """{"\ud800x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "header", "not valid Unicode" },
        { """{"__metadata__": [], "t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "'__metadata__'", "must be an object of strings" },
        { """{"__metadata__": {"format": 1}, "t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "'__metadata__.format'", "must be a string" },
        { """{"__metadata__": {"a": "1", "a": "2"}}""", "'__metadata__.a'", "appears twice" },
        { """{"__metadata__": {}, "__metadata__": {}}""", "'__metadata__'", "appears twice" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Malformed_headers_name_the_file_and_the_tensor(string header, string culprit, string expected)
    {
        var path = Raw(header, new byte[8]);
        var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(culprit, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Header_that_is_not_UTF8_is_rejected()
    {
        var path = Raw([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid UTF-8 JSON", e.Message);
    }

    [Fact]
    public void Files_shorter_than_the_size_field_are_rejected()
    {
        foreach (var length in new[] { 0, 3, 7 })
        {
            var path = TempFile();
            File.WriteAllBytes(path, new byte[length]);
            var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains($"{length} bytes is too short", e.Message);
        }
    }

    /// <summary>Runs <paramref name="open"/> expecting the typed error, and returns how many managed bytes it allocated.</summary>
    private static (PeftSharpException Error, long Allocated) FailAndMeasure(Action open)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<PeftSharpException>(open);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Header_size_beyond_the_file_fails_before_allocating_it()
    {
        foreach (var claimed in new ulong[] { 100UL << 30, ulong.MaxValue, (ulong)long.MaxValue + 1, 3 })
        {
            var path = Raw("{}", declaredHeaderSize: claimed); // claims e.g. 100 GB; the file has 2 bytes after the size field
            var (e, allocated) = FailAndMeasure(() => SafetensorsFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains($"the header claims {claimed} bytes but the file has only 2", e.Message);
            Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        }
    }

    [Fact]
    public void Header_size_above_the_format_limit_fails_even_when_the_file_is_that_big()
    {
        var path = TempFile();
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(SafetensorsFile.MaxHeaderBytes + 64); // sparse: no disk used
            var size = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, SafetensorsFile.MaxHeaderBytes + 1);
            stream.Write(size);
        }
        try
        {
            var (e, allocated) = FailAndMeasure(() => SafetensorsFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains($"more than the {SafetensorsFile.MaxHeaderBytes}", e.Message);
            Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Truncated_file_names_the_tensor_whose_data_is_missing()
    {
        using var scope = NewDisposeScope();
        var path = TempFile();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = ones(64), ["w"] = ones(64, dtype: ScalarType.Float64) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]); // F64 first in the data, F32 last: 'a' loses its tail
        var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor 'a'", e.Message);
        Assert.Contains("truncated file?", e.Message);
    }

    [Fact]
    public void Missing_file_or_a_folder_is_an_error_naming_it()
    {
        var dir = TempDirectory();
        foreach (var path in new[] { Path.Combine(dir, "absent.safetensors"), dir })
            Assert.Contains(path, Assert.ThrowsAny<PeftSharpException>(() => SafetensorsFile.Open(path)).Message);
    }
}
