namespace PeftSharp.Data;

/// <summary>
/// Validates a parquet footer (Thrift compact protocol <c>FileMetaData</c>) and the page headers of its column chunks
/// before Parquet.Net parses them.
/// </summary>
/// <remarks>
/// Parquet.Net 6.1 reads known fields by id with the type the format defines, whatever the wire type
/// says, sizes lists from the counts it finds (<c>new List(count)</c>), skips lists of booleans without
/// consuming bytes, and recurses without a depth limit. A corrupt footer can therefore make it allocate
/// gigabytes, loop for hours or overflow the stack. This check walks the footer the same way but
/// refuses: a known field whose wire type differs from the format's, a container count larger than
/// the bytes left, containers of booleans, unknown type codes, nesting deeper than 32, and reading
/// past the end. What passes costs Parquet.Net at most a few passes over the footer.
/// </remarks>
internal static class ParquetFooterCheck
{
    private enum W : byte { Bool = 1, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12, Uuid = 13 }

    /// <summary>A known field: its type, and for structs (or lists of structs) the struct's name (null: no known fields).</summary>
    private sealed record F(W Type, string? Struct = null, W Element = 0);

    private static F I32 => new(W.I32);
    private static F I64 => new(W.I64);
    private static F Bin => new(W.Binary);
    private static F Bool => new(W.Bool);
    private static F Struct(string? name) => new(W.Struct, name);
    private static F ListOf(string name) => new(W.List, name, W.Struct);
    private static F ListOf(W element) => new(W.List, null, element);

    // parquet.thrift, the structures reachable from FileMetaData.
    private static readonly Dictionary<string, Dictionary<int, F>> Structs = new()
    {
        ["FileMetaData"] = new() { [1] = I32, [2] = ListOf("SchemaElement"), [3] = I64, [4] = ListOf("RowGroup"), [5] = ListOf("KeyValue"), [6] = Bin, [7] = ListOf("ColumnOrder"), [8] = Struct("EncryptionAlgorithm"), [9] = Bin },
        ["SchemaElement"] = new() { [1] = I32, [2] = I32, [3] = I32, [4] = Bin, [5] = I32, [6] = I32, [7] = I32, [8] = I32, [9] = I32, [10] = Struct("LogicalType") },
        ["LogicalType"] = new()
        {
            [1] = Struct(null), [2] = Struct(null), [3] = Struct(null), [4] = Struct(null), [5] = Struct("DecimalType"), [6] = Struct(null), [7] = Struct("TimeType"),
            [8] = Struct("TimeType"), [10] = Struct("IntType"), [11] = Struct(null), [12] = Struct(null), [13] = Struct(null), [14] = Struct(null), [15] = Struct(null),
        },
        ["DecimalType"] = new() { [1] = I32, [2] = I32 },
        ["TimeType"] = new() { [1] = Bool, [2] = Struct("TimeUnit") },
        ["TimeUnit"] = new() { [1] = Struct(null), [2] = Struct(null), [3] = Struct(null) },
        ["IntType"] = new() { [1] = new(W.Byte), [2] = Bool },
        ["RowGroup"] = new() { [1] = ListOf("ColumnChunk"), [2] = I64, [3] = I64, [4] = ListOf("SortingColumn"), [5] = I64, [6] = I64, [7] = new(W.I16) },
        ["SortingColumn"] = new() { [1] = I32, [2] = Bool, [3] = Bool },
        ["ColumnChunk"] = new() { [1] = Bin, [2] = I64, [3] = Struct("ColumnMetaData"), [4] = I64, [5] = I32, [6] = I64, [7] = I32, [8] = Struct("ColumnCryptoMetaData"), [9] = Bin },
        ["ColumnMetaData"] = new()
        {
            [1] = I32, [2] = ListOf(W.I32), [3] = ListOf(W.Binary), [4] = I32, [5] = I64, [6] = I64, [7] = I64, [8] = ListOf("KeyValue"), [9] = I64, [10] = I64, [11] = I64,
            [12] = Struct("Statistics"), [13] = ListOf("PageEncodingStats"), [14] = I64, [15] = I32, [16] = Struct("SizeStatistics"),
        },
        ["Statistics"] = new() { [1] = Bin, [2] = Bin, [3] = I64, [4] = I64, [5] = Bin, [6] = Bin, [7] = Bool, [8] = Bool },
        ["PageEncodingStats"] = new() { [1] = I32, [2] = I32, [3] = I32 },
        ["SizeStatistics"] = new() { [1] = I64, [2] = ListOf(W.I64), [3] = ListOf(W.I64) },
        ["KeyValue"] = new() { [1] = Bin, [2] = Bin },
        ["ColumnOrder"] = new() { [1] = Struct(null) },
        ["EncryptionAlgorithm"] = new() { [1] = Struct("AesGcm"), [2] = Struct("AesGcm") },
        ["AesGcm"] = new() { [1] = Bin, [2] = Bin, [3] = Bool },
        ["ColumnCryptoMetaData"] = new() { [1] = Struct(null), [2] = Struct("EncryptionWithColumnKey") },
        ["EncryptionWithColumnKey"] = new() { [1] = ListOf(W.Binary), [2] = Bin },
        // The header before each page of a column chunk.
        ["PageHeader"] = new() { [1] = I32, [2] = I32, [3] = I32, [4] = I32, [5] = Struct("DataPageHeader"), [6] = Struct(null), [7] = Struct("DictionaryPageHeader"), [8] = Struct("DataPageHeaderV2") },
        ["DataPageHeader"] = new() { [1] = I32, [2] = I32, [3] = I32, [4] = I32, [5] = Struct("Statistics") },
        ["DictionaryPageHeader"] = new() { [1] = I32, [2] = I32, [3] = Bool },
        ["DataPageHeaderV2"] = new() { [1] = I32, [2] = I32, [3] = I32, [4] = I32, [5] = I32, [6] = I32, [7] = Bool, [8] = Struct("Statistics") },
    };

    private const int MaxDepth = 32;

    /// <summary>Throws a <see cref="PeftSharpException"/> naming <paramref name="path"/> if the footer is unsafe to parse.</summary>
    public static void Check(ReadOnlySpan<byte> footer, string path)
    {
        var walker = new Walker(footer, path, "footer");
        walker.Struct("FileMetaData", 0);
    }

    /// <summary>
    /// Checks the page headers of one column chunk (<paramref name="length"/> bytes of <paramref name="stream"/> from
    /// <paramref name="start"/>, its first page header) the same way: Parquet.Net allocates whatever lengths a page header
    /// claims (a statistics value, the page) before reading them. Every header must be well formed, its page must fit in
    /// the chunk, and its uncompressed size must be one a compression codec can reach from the compressed one. Only the
    /// headers are read (into a window that grows for a header larger than it), not the pages between them.
    /// </summary>
    public static void CheckPages(Stream stream, long start, long length, string path)
    {
        var window = new byte[(int)Math.Min(length, HeaderWindow)];
        long pos = 0;
        while (pos < length)
        {
            int available = (int)Math.Min(length - pos, window.Length);
            stream.Position = start + pos;
            stream.ReadExactly(window, 0, available);
            var walker = new Walker(window.AsSpan(0, available), path, $"column chunk byte {pos}, page header", length - pos);
            try
            {
                walker.Struct("PageHeader", 0);
            }
            catch (WindowTooSmall)
            {
                window = new byte[(int)Math.Min(length - pos, 4L * window.Length)];
                continue;
            }
            long end = pos + walker.Position;
            long compressed = walker.CompressedPageSize, uncompressed = walker.UncompressedPageSize;
            if (compressed < 0 || compressed > length - end)
                throw new PeftSharpException($"{path}: corrupt parquet page header: a page of {compressed} bytes with {length - end} left in its column chunk");
            if (uncompressed < 0 || uncompressed > MaxUncompressedBytes(compressed))
                throw new PeftSharpException($"{path}: corrupt parquet page header: {uncompressed} bytes uncompressed from {compressed} compressed");
            pos = end + compressed;
        }
    }

    /// <summary>The bytes read at first for a page header; a header with larger statistics makes the window grow.</summary>
    private const int HeaderWindow = 1 << 12;

    /// <summary>A page header runs past the bytes read so far, which are not yet all of the chunk.</summary>
    private sealed class WindowTooSmall : Exception;

    /// <summary>More than any codec parquet uses gives (deflate's limit is about 1,032:1), plus room for tiny pages.</summary>
    private static long MaxUncompressedBytes(long compressed) => (1L << 20) + 1100 * compressed;

    /// <summary>
    /// Walks Thrift compact-protocol bytes. <paramref name="data"/> may be a window on longer data: <paramref name="extent"/>
    /// bytes exist from its start (−1: just the window).
    /// </summary>
    private ref struct Walker(ReadOnlySpan<byte> data, string path, string where, long extent = -1)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int pos;

        /// <summary>A PageHeader's sizes (fields 2 and 3), −1 until read.</summary>
        public long UncompressedPageSize = -1, CompressedPageSize = -1;

        public readonly int Position => pos;

        private readonly PeftSharpException Corrupt(string what) => new($"{path}: corrupt parquet metadata at {where} byte {pos}: {what}");

        private int Left => data.Length - pos;

        /// <summary>The error for <paramref name="needed"/> bytes beyond the window: a sign to read more if they exist, else corruption.</summary>
        private readonly Exception OutOfBytes(long needed, string what) => pos + needed <= extent ? new WindowTooSmall() : Corrupt(what);

        private byte Byte() => pos < data.Length ? data[pos++] : throw OutOfBytes(1, "unexpected end of the data");

        private ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw Corrupt("varint longer than 10 bytes");
        }

        private void Skip(long count)
        {
            if (count < 0) throw Corrupt($"negative length {count}");
            if (count > Left) throw OutOfBytes(count, $"length {count} exceeds the {Left} bytes left");
            pos += (int)count;
        }

        public void Struct(string? name, int depth)
        {
            if (depth > MaxDepth) throw Corrupt($"nesting deeper than {MaxDepth}");
            var fields = name is null ? null : Structs[name];
            int lastId = 0;
            while (true)
            {
                byte header = Byte();
                if (header == 0) return;
                int delta = header >> 4;
                var type = (W)(header & 0x0F);
                int id = delta != 0 ? lastId + delta : (short)Zigzag(Varint());
                lastId = id;
                if (type is (W)2) type = W.Bool; // BOOLEAN_FALSE
                if (fields is not null && fields.TryGetValue(id, out var known))
                {
                    if (known.Type != type) throw Corrupt($"{name} field {id} has wire type {(int)type}, expected {known.Type}");
                    if (type == W.Bool) continue; // the value lives in the field header
                    if (depth == 0 && name == "PageHeader" && id is 2 or 3)
                    {
                        long size = Zigzag(Varint());
                        if (id == 2) UncompressedPageSize = size;
                        else CompressedPageSize = size;
                        continue;
                    }
                    Value(type, known, depth);
                }
                else
                {
                    if (type == W.Bool) continue;
                    Value(type, null, depth);
                }
            }
        }

        private void Value(W type, F? known, int depth)
        {
            switch (type)
            {
                case W.Byte: Skip(1); break;
                case W.I16 or W.I32 or W.I64: Varint(); break;
                case W.Double: Skip(8); break;
                case W.Uuid: Skip(16); break;
                case W.Binary: Skip((long)Varint()); break;
                case W.Struct: Struct(known?.Struct, depth + 1); break;
                case W.List or W.Set:
                {
                    byte header = Byte();
                    long count = header >> 4;
                    if (count == 15) count = (long)Varint();
                    var element = (W)(header & 0x0F);
                    if (known is not null && element != known.Element) throw Corrupt($"list of wire type {(int)element}, expected {known.Element}");
                    Elements(count, element, known is null ? null : new F(element, known.Struct), depth);
                    break;
                }
                case W.Map:
                {
                    long count = (long)Varint();
                    if (count == 0) break;
                    byte types = Byte();
                    Elements(count, (W)(types >> 4), null, depth, (W)(types & 0x0F));
                    break;
                }
                default: throw Corrupt($"unknown wire type {(int)type}");
            }
        }

        private void Elements(long count, W element, F? known, int depth, W? mapValue = null)
        {
            // Every element takes at least one byte, so a larger count cannot be genuine.
            if (count > Left) throw OutOfBytes(count, $"container of {count} elements in {Left} bytes");
            if (element is W.Bool or (W)2 || mapValue is W.Bool or (W)2)
                throw Corrupt("container of booleans (not used by parquet metadata)");
            for (long i = 0; i < count; i++)
            {
                Value(element, known, depth + 1);
                if (mapValue is { } value) Value(value, null, depth + 1);
            }
        }

        private static long Zigzag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
    }
}
