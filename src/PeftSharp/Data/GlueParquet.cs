using Parquet;
using Parquet.Schema;

namespace PeftSharp.Data;

/// <summary>
/// Reads HuggingFace's parquet exports of GLUE (text columns as in <see cref="GlueTask.ParquetTextColumns"/>,
/// <c>label</c> int64 — float32 for STS-B — with −1 on test rows, <c>idx</c> ignored).
/// Errors name the file, the 1-based row and the column.
/// </summary>
internal static class GlueParquet
{
    public static IReadOnlyList<ClassificationExample> Read(GlueTask task, string path)
    {
        using var stream = DataFile.Open(path);
        return Read(task, stream, path);
    }

    /// <summary>
    /// Reads from a seekable stream; <paramref name="path"/> names it in messages. Reading stops with an
    /// error after <paramref name="timeLimit"/> (default: 60 s plus 10 s per MB, far beyond a healthy read).
    /// </summary>
    internal static IReadOnlyList<ClassificationExample> Read(GlueTask task, Stream stream, string path, TimeSpan? timeLimit = null)
    {
        CheckFrame(stream, path);
        var limit = timeLimit ?? TimeSpan.FromSeconds(60 + 10.0 * stream.Length / 1e6);
        try
        {
            return ReadAsync(task, new GuardedStream(stream, limit), path).GetAwaiter().GetResult();
        }
        catch (PeftSharpException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Parquet.Net reports corrupt files with a variety of exception types.
            throw new PeftSharpException($"{path}: not a readable parquet file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks the parquet frame ("PAR1" … footer, footer length, "PAR1") and the footer's structure
    /// (<see cref="ParquetFooterCheck"/>) before Parquet.Net reads them: a corrupt length or count must
    /// not make it allocate beyond the file or loop.
    /// </summary>
    private static void CheckFrame(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[4], tail = stackalloc byte[8];
        if (stream.Length < 12) throw new PeftSharpException($"{path}: not a parquet file ({stream.Length} bytes)");
        stream.ReadExactly(head);
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        if (!head.SequenceEqual("PAR1"u8) || !tail[4..].SequenceEqual("PAR1"u8))
            throw new PeftSharpException($"{path}: not a parquet file (no PAR1 magic at start and end)");
        long footer = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (footer > stream.Length - 12)
            throw new PeftSharpException($"{path}: corrupt parquet file: footer of {footer} bytes claimed, the file has {stream.Length}");
        var metadata = new byte[footer];
        stream.Seek(-8 - footer, SeekOrigin.End);
        stream.ReadExactly(metadata);
        ParquetFooterCheck.Check(metadata, path);
        stream.Position = 0;
    }

    private static async Task<IReadOnlyList<ClassificationExample>> ReadAsync(GlueTask task, Stream stream, string path)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, new ParquetOptions { TreatByteArrayAsString = true }, leaveStreamOpen: true);
        CheckPages(reader, stream, path);
        var fields = reader.Schema.GetDataFields();
        DataField Find(string name) => fields.FirstOrDefault(f => f.Name == name)
            ?? throw new PeftSharpException($"{path}: no column '{name}' (has: {string.Join(", ", fields.Select(f => f.Name))}); is this a {task.Name} parquet file?");
        var textFields = task.ParquetTextColumns.Select(Find).ToArray();
        var labelField = fields.FirstOrDefault(f => f.Name == "label");

        var examples = new List<ClassificationExample>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            // A row takes at least a bit in every column; a larger count is a corrupt header, not data.
            if (group.RowCount < 0 || group.RowCount > 64L * Math.Max(stream.Length, 1024) || group.RowCount > int.MaxValue - examples.Count)
                throw new PeftSharpException($"{path}: corrupt parquet file: row group {g} claims {group.RowCount} rows in a file of {stream.Length} bytes");
            int rows = (int)group.RowCount;
            var texts = new string?[textFields.Length][];
            for (int c = 0; c < textFields.Length; c++)
            {
                texts[c] = new string?[rows];
                if (textFields[c].ClrType != typeof(string) && textFields[c].ClrType != typeof(ReadOnlyMemory<char>))
                    throw new PeftSharpException($"{path}: column '{textFields[c].Name}' holds {textFields[c].ClrType.Name}, expected strings");
                await group.ReadAsync(textFields[c], texts[c].AsMemory()!);
            }
            var labels = labelField is null ? null : await ReadNumbers(group, labelField, rows, path);
            for (int i = 0; i < rows; i++)
            {
                string where = $"{path}: row {examples.Count + 1}";
                for (int c = 0; c < textFields.Length; c++)
                    if (texts[c][i] is null) throw DataFile.FieldError(where, textFields[c].Name, "a string", "null");
                double? label = labels is null ? null : Label(task, labels[i], where);
                examples.Add(new ClassificationExample(texts[0][i]!, textFields.Length > 1 ? texts[1][i] : null, label));
            }
        }
        if (examples.Count == 0) throw DataFile.Empty(path, "rows");
        return examples;
    }

    /// <summary>
    /// Checks every column chunk's page headers (<see cref="ParquetFooterCheck.CheckPages"/>) before Parquet.Net reads
    /// them: it allocates what a corrupt length claims (270 MB for a 757-byte file) before finding the bytes missing.
    /// </summary>
    private static void CheckPages(ParquetReader reader, Stream stream, string path)
    {
        foreach (var group in reader.Metadata?.RowGroups ?? [])
            foreach (var column in group.Columns)
            {
                if (column.MetaData is not { } chunk) continue;
                long start = chunk.DictionaryPageOffset is > 0 and var dictionary ? dictionary : chunk.DataPageOffset;
                if (start < 4 || chunk.TotalCompressedSize < 0 || start + chunk.TotalCompressedSize > stream.Length - 8)
                    throw new PeftSharpException($"{path}: corrupt parquet file: a column chunk at byte {start} of {chunk.TotalCompressedSize} bytes lies outside the data");
                ParquetFooterCheck.CheckPages(stream, start, chunk.TotalCompressedSize, path);
            }
    }

    /// <summary>−1 marks an unlabeled (test) row, as in HF's exports.</summary>
    private static double? Label(GlueTask task, double? value, string where)
    {
        if (value is not { } v) throw DataFile.FieldError(where, "label", "a number", "null");
        if (v == -1) return null;
        if (task.IsRegression) return GlueReader.CheckScore(task, v, where, "label");
        if (v != Math.Floor(v) || v < 0 || v >= task.Labels.Length)
            throw DataFile.FieldError(where, "label", $"a class index in [0, {task.Labels.Length}) or -1", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return v;
    }

    private static async Task<double?[]> ReadNumbers(ParquetRowGroupReader group, DataField field, int rows, string path)
    {
        var type = field.ClrType;
        if (type == typeof(long)) return await Read<long>(group, field, rows, x => x);
        if (type == typeof(int)) return await Read<int>(group, field, rows, x => x);
        if (type == typeof(short)) return await Read<short>(group, field, rows, x => x);
        if (type == typeof(sbyte)) return await Read<sbyte>(group, field, rows, x => x);
        if (type == typeof(float)) return await Read<float>(group, field, rows, x => x);
        if (type == typeof(double)) return await Read<double>(group, field, rows, x => x);
        throw new PeftSharpException($"{path}: column 'label' holds {type.Name}, expected integers or floats");
    }

    private static async Task<double?[]> Read<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, double> convert) where T : struct
    {
        var result = new double?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync<T>(field, values.AsMemory());
            for (int i = 0; i < rows; i++) result[i] = values[i] is { } v ? convert(v) : null;
        }
        else
        {
            var values = new T[rows];
            await group.ReadAsync<T>(field, values.AsMemory());
            for (int i = 0; i < rows; i++) result[i] = convert(values[i]);
        }
        return result;
    }
}
