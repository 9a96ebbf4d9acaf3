using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

/// <summary>
/// HF parquet exports, written here with Parquet.Net in the layout pyarrow gives them:
/// optional (nullable) string columns, <c>label</c> int64 (float32 for STS-B), <c>idx</c> int32.
/// </summary>
public class GlueParquetTests
{
    private static string TempFile(string name) => Path.Combine(Directory.CreateTempSubdirectory("peft-parquet-").FullName, name);

    private static string Write(string name, string[] textColumns, string?[][] texts, Array labels, int rowGroups = 1)
    {
        var path = TempFile(name);
        File.WriteAllBytes(path, WriteBytes(textColumns, texts, labels, rowGroups));
        return path;
    }

    internal static byte[] WriteBytes(string[] textColumns, string?[][] texts, Array labels, int rowGroups = 1)
    {
        var textFields = textColumns.Select(c => new DataField<string>(c, nullable: true)).ToArray();
        DataField labelField = labels is float[]? new DataField<float>("label", nullable: true) : new DataField<long>("label", nullable: true);
        var idxField = new DataField<int>("idx", nullable: true);
        var schema = new ParquetSchema([.. textFields, labelField, idxField]);
        using (var stream = new MemoryStream())
        {
            WriteAsync().GetAwaiter().GetResult();
            async Task WriteAsync()
            {
                await using var writer = await ParquetWriter.CreateAsync(schema, stream);
                int rows = texts[0].Length, per = (rows + rowGroups - 1) / rowGroups;
                for (int start = 0; start < rows; start += per)
                {
                    int count = Math.Min(per, rows - start);
                    using var group = writer.CreateRowGroup();
                    for (int c = 0; c < textFields.Length; c++)
                        await group.WriteAsync(textFields[c], (IReadOnlyCollection<string>)texts[c].Skip(start).Take(count).ToArray()!);
                    if (labels is float[] scores)
                        await group.WriteAsync<float>(labelField, scores.Skip(start).Take(count).Select(s => (float?)s).ToArray().AsMemory());
                    else
                        await group.WriteAsync<long>(labelField, ((long[])labels).Skip(start).Take(count).Select(l => (long?)l).ToArray().AsMemory());
                    await group.WriteAsync<int>(idxField, Enumerable.Range(start, count).Select(i => (int?)i).ToArray().AsMemory());
                    group.CompleteValidate();
                }
            }
            return stream.ToArray();
        }
    }

    [Fact]
    public void Page_headers_larger_than_the_first_read_window_are_checked_whole()
    {
        // Statistics hold the column's min and max strings: 20,000-character sentences make page headers of about 40 kB,
        // more than the 4 kB first read for a page header.
        string Long(char c) => new(c, 20_000);
        var path = Write("train.parquet", ["sentence1", "sentence2"], [[Long('a'), Long('b')], [Long('c'), Long('d')]], new long[] { 0, 1 });
        var rows = GlueParquet.Read(GlueTask.Get("rte"), path);
        Assert.Equal([Long('a'), Long('b')], rows.Select(r => r.Text));
        Assert.Equal([Long('c'), Long('d')], rows.Select(r => r.TextPair));
    }

    [Fact]
    public void MNLI_parquet_gives_the_same_records_as_the_tsv()
    {
        var tsv = GlueReader.Read("mnli", Fixture("glue", "MNLI", "train.tsv"));
        var path = Write("train-00000-of-00001.parquet", ["premise", "hypothesis"],
            [tsv.Select(r => r.Text).ToArray(), tsv.Select(r => r.TextPair).ToArray()],
            new long[] { 1, 0, 2 }, rowGroups: 2);
        Assert.Equal(tsv, GlueReader.Read("mnli", path));
    }

    [Fact]
    public void Test_split_labels_of_minus_one_mean_unlabeled()
    {
        var path = Write("test.parquet", ["sentence"], [["a", "b"]], new long[] { -1, -1 });
        Assert.Equal([new ClassificationExample("a", null, null), new ClassificationExample("b", null, null)], GlueReader.Read("sst2", path));
    }

    [Fact]
    public void STSB_parquet_scores_are_float32()
    {
        var path = Write("stsb.parquet", ["sentence1", "sentence2"], [["a", "c"], ["b", "d"]], new float[] { 3.8f, -1f });
        Assert.Equal([new ClassificationExample("a", "b", (double)3.8f), new ClassificationExample("c", "d", null)], GlueReader.Read("stsb", path));
    }

    [Fact]
    public void Labels_outside_the_task_classes_are_errors_naming_the_row()
    {
        var path = Write("rte.parquet", ["sentence1", "sentence2"], [["a", "c"], ["b", "d"]], new long[] { 1, 2 });
        Fails(() => GlueReader.Read("rte", path), $"{path}: row 2: field 'label': expected a class index in [0, 2) or -1, got 2");
    }

    [Fact]
    public void Null_texts_are_errors_naming_the_row()
    {
        var path = Write("cola.parquet", ["sentence"], [["fine", null]], new long[] { 0, 1 });
        Fails(() => GlueReader.Read("cola", path), $"{path}: row 2: field 'sentence': expected a string, got null");
    }

    [Fact]
    public void Missing_columns_are_errors_listing_the_columns()
    {
        var path = Write("qnli.parquet", ["sentence1", "sentence2"], [["a"], ["b"]], new long[] { 0 });
        Fails(() => GlueReader.Read("qnli", path), $"{path}: no column 'question' (has: sentence1, sentence2, label, idx)");
    }

    [Fact]
    public void A_footer_length_beyond_the_file_is_rejected_before_reading()
    {
        var good = Write("sst2.parquet", ["sentence"], [["a", "b"]], new long[] { 0, 1 });
        var bytes = File.ReadAllBytes(good);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), 2_000_000_000u); // claims a 2 GB footer
        var path = TempFile("huge-footer.parquet");
        File.WriteAllBytes(path, bytes);
        Fails(() => GlueReader.Read("sst2", path), $"{path}: corrupt parquet file: footer of 2000000000 bytes claimed");
        File.WriteAllBytes(path, [.. bytes[..^4], .. "PAR2"u8]);
        Fails(() => GlueReader.Read("sst2", path), $"{path}: not a parquet file (no PAR1 magic");
    }

    private static string WithFooter(byte[] footer)
    {
        var path = TempFile("crafted.parquet");
        File.WriteAllBytes(path, [.. "PAR1"u8, .. footer, .. BitConverter.GetBytes(footer.Length), .. "PAR1"u8]);
        return path;
    }

    [Fact]
    public void A_footer_list_count_beyond_its_bytes_is_rejected_before_parquet_net_allocates_it()
    {
        // FileMetaData field 4 (row_groups): a list of structs claiming 2^31-1 entries. Parquet.Net would
        // call new List<RowGroup>(2147483647) on it.
        var path = WithFooter([0x49, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00]);
        Fails(() => GlueReader.Read("sst2", path), $"{path}: corrupt parquet metadata at footer byte 7: container of 2147483647 elements in 1 bytes");
    }

    [Fact]
    public void Footer_fields_of_the_wrong_wire_type_and_deep_nesting_are_rejected()
    {
        // Field 3 (num_rows, i64) sent as a string: Parquet.Net would read it as a varint and lose its place.
        Fails(() => GlueReader.Read("sst2", WithFooter([0x38, 0x01, 0x41, 0x00])), "FileMetaData field 3 has wire type 8, expected I64");
        // An unknown field holding a list of booleans, which Parquet.Net skips without consuming bytes.
        Fails(() => GlueReader.Read("sst2", WithFooter([0x09, 0xC8, 0x01, 0x21, 0x01, 0x00])), "container of booleans");
        // 40 nested structs in an unknown field: Parquet.Net recurses without a limit.
        byte[] nested = [0x0C, 0xC8, 0x01, .. Enumerable.Repeat((byte)0x1C, 40), .. Enumerable.Repeat((byte)0x00, 42)];
        Fails(() => GlueReader.Read("sst2", WithFooter(nested)), "nesting deeper than 32");
    }

    [Fact]
    public void A_corrupt_parquet_file_is_a_typed_error()
    {
        var path = TempFile("broken.parquet");
        File.WriteAllBytes(path, "PAR1 this is not parquet PAR1"u8.ToArray());
        Fails(() => GlueReader.Read("sst2", path), path);
        var good = Write("sst2.parquet", ["sentence"], [["a", "b", "c"]], new long[] { 0, 1, 0 });
        var bytes = File.ReadAllBytes(good);
        for (int cut = 1; cut < bytes.Length; cut += 7)
        {
            File.WriteAllBytes(path, bytes[..cut]);
            Assert.ThrowsAny<PeftSharpException>(() => GlueReader.Read("sst2", path));
        }
    }
}
