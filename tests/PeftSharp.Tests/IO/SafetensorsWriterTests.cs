using System.Text;
using System.Text.Json;
using CsCheck;
using PeftSharp.IO;
using TorchSharp;
using static PeftSharp.Tests.IO.SafetensorsTestFiles;
using static TorchSharp.torch;

namespace PeftSharp.Tests.IO;

public class SafetensorsWriterTests
{
    [Fact]
    public void Writer_output_equals_the_reference_layout_built_by_python()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor> // deliberately not in the file's order
        {
            ["u.u8"] = tensor(new byte[] { 7, 8 }),
            ["a.f16"] = tensor(new[] { 1f, -2f }).to(ScalarType.Float16),
            ["z.bool"] = tensor(new[] { true, false, true }),
            ["y.f64"] = tensor(0.5, dtype: ScalarType.Float64),
            ["bf"] = tensor(new[] { 1f }).reshape(1, 1).to(ScalarType.BFloat16),
            ["b.i8"] = tensor(new sbyte[] { -5 }),
            ["s.i16"] = tensor(new short[] { 1, -1 }),
            ["e.i32"] = zeros([0, 3], dtype: ScalarType.Int32),
            ["m.f32"] = tensor(new[] { 0.25f }),
            ["c.i64"] = tensor(new long[] { 42 }),
        };
        var path = TempFile();
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(File.ReadAllBytes(Fixtures.PathOf("safetensors", "writer_expected.safetensors")), File.ReadAllBytes(path));
    }

    /// <summary>Header size, header text and data of the format's smallest examples, spelled out.</summary>
    public static TheoryData<string, int, string> FormatExamples => new()
    {
        { "nothing", 8, "{}      " },
        { "metadata only", 40, """{"__metadata__":{"framework":"pt"}}     """ },
        { "attn.0", 64, """{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""" },   // exactly 64: no padding
        { "attn0", 72, """{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       """ }, // 65 + 7 spaces
    };

    [Theory]
    [MemberData(nameof(FormatExamples))]
    public void Writer_pads_the_header_with_spaces_to_a_multiple_of_8(string example, int headerSize, string header)
    {
        using var scope = NewDisposeScope();
        var values = arange(6, dtype: ScalarType.Float32);
        var (tensors, metadata) = example switch
        {
            "nothing" => (new Dictionary<string, Tensor>(), null),
            "metadata only" => (new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" }),
            "attn.0" => (new Dictionary<string, Tensor> { ["attn.0"] = values.reshape(1, 2, 3) }, null),
            _ => (new Dictionary<string, Tensor> { ["attn0"] = values.reshape(1, 1, 2, 3) }, (Dictionary<string, string>?)null),
        };
        var path = TempFile();
        SafetensorsWriter.Write(path, tensors, metadata);
        var (size, text, data) = Split(File.ReadAllBytes(path));
        Assert.Equal(headerSize, size);
        Assert.Equal(header, text);
        Assert.Equal(tensors.Count == 0 ? [] : Bytes(values), data);
    }

    [Fact]
    public void Writer_keeps_names_readable_and_writes_empty_metadata_when_given()
    {
        var path = TempFile();
        SafetensorsWriter.Write(path, [KeyValuePair.Create("café+<x>", ones(1))], new Dictionary<string, string>());
        var (_, text, _) = Split(File.ReadAllBytes(path));
        Assert.StartsWith("""{"__metadata__":{},"café+<x>":""", text);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(new[] { "café+<x>" }, file.Keys);
    }

    [Fact]
    public void Writer_rejects_bad_input_and_leaves_the_previous_file_intact()
    {
        using var scope = NewDisposeScope();
        var path = TempFile();
        SafetensorsWriter.Write(path, [KeyValuePair.Create("good", ones(2))]);
        var before = File.ReadAllBytes(path);
        var bad = new (string Culprit, IEnumerable<KeyValuePair<string, Tensor>> Tensors)[]
        {
            ("'c'", [KeyValuePair.Create("c", ones(2, dtype: ScalarType.ComplexFloat32))]),
            ("'__metadata__'", [KeyValuePair.Create("__metadata__", ones(1))]),
            ("''", [KeyValuePair.Create("", ones(1))]),
            ("invalid tensor name", [KeyValuePair.Create("\ud800", ones(1))]),
            ("'twice'", [KeyValuePair.Create("twice", ones(1)), KeyValuePair.Create("twice", ones(1))]),
        };
        foreach (var (culprit, tensors) in bad)
        {
            var e = Assert.ThrowsAny<PeftSharpException>(() => SafetensorsWriter.Write(path, tensors));
            Assert.Contains(path, e.Message);
            Assert.Contains(culprit, e.Message);
        }
        Assert.ThrowsAny<PeftSharpException>(() => SafetensorsWriter.Write(path, [], new Dictionary<string, string> { ["k"] = "\udc00" }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    private static readonly ScalarType[] Supported =
    [
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    ];

    [Fact]
    public void Written_files_are_aligned_gapless_and_round_trip_for_any_mix_of_tensors()
    {
        // Each tensor: (name, dtype index, shape); names from a small alphabet so that sorting matters.
        var genTensor = Gen.Select(Gen.String[Gen.Char['a', 'd'], 1, 3], Gen.Int[0, Supported.Length - 1], Gen.Int[0, 4].Array[0, 3]);
        var dir = TempDirectory();
        var path = Path.Combine(dir, "prop.safetensors");
        genTensor.List[0, 8].SampleFixed(specs =>
        {
            using var scope = NewDisposeScope();
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, dtype, shape) in specs)
                tensors[name] = (randn(shape.Select(d => (long)d).ToArray()) * 50).to(Supported[dtype]);
            SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

            // Checked on the raw bytes with System.Text.Json, independently of the reader:
            var bytes = File.ReadAllBytes(path);
            var (headerSize, header, data) = Split(bytes);
            Assert.Equal(0, headerSize % 8);
            using var json = JsonDocument.Parse(header);
            long expectedBegin = 0;
            foreach (var entry in json.RootElement.EnumerateObject().Where(e => e.Name != "__metadata__"))
            {
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                Assert.Equal(expectedBegin, offsets[0]); // listed in data order, no gaps
                long elementSize = tensors[entry.Name].ElementSize;
                Assert.Equal(0, (8 + headerSize + offsets[0]) % elementSize); // naturally aligned within the file
                Assert.Equal(Bytes(tensors[entry.Name]), data[(int)offsets[0]..(int)offsets[1]]);
                expectedBegin = offsets[1];
            }
            Assert.Equal(data.Length, expectedBegin); // the data ends where the file ends

            using var file = SafetensorsFile.Open(path);
            Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Keys);
            foreach (var (name, original) in tensors)
                Assert.Equal(Bytes(original), Bytes(file.ReadTensor(name)));
        }, iter: 150);
    }
}
