using System.Buffers.Binary;
using System.Text;

namespace PeftSharp.IO.Gguf;

/// <summary>
/// Parses and validates the part of a GGUF file before the tensor data (format: ggml's docs/gguf.md): the magic "GGUF",
/// version (2 or 3), tensor and metadata counts, the metadata key/value pairs, the tensor infos, and the padding to
/// <c>general.alignment</c> (default 32). Every length is checked against the bytes left in the file before anything is
/// allocated, so a damaged file cannot make the reader allocate more than the file's size.
/// </summary>
/// <remarks>
/// Rules, each an error naming the file (and key or tensor): keys non-empty, valid UTF-8, unique; strings valid UTF-8;
/// bools 0 or 1; arrays of arrays refused (llama.cpp does not use them); <c>general.alignment</c> a uint32 power of two;
/// tensor names non-empty, shorter than 64 bytes (ggml's limit), unique; at most 4 dimensions; a type whose layout
/// PeftSharp knows, with rows a whole number of blocks; offsets multiples of the alignment, inside the file, tensors not
/// overlapping. Accepted although llama.cpp's own reader is stricter: tensors in any order and with gaps between them.
/// </remarks>
internal sealed record GgufHeader(GgufMetadata Metadata, IReadOnlyList<GgufTensorInfo> Tensors, long DataStart, int Alignment)
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const int DefaultAlignment = 32;
    public const int MaxNameBytes = 63;
    public const int MaxDimensions = 4;
    public const string AlignmentKey = "general.alignment";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the header from <paramref name="stream"/> (positioned at 0) of a file of <paramref name="length"/> bytes.</summary>
    public static GgufHeader Read(Stream stream, long length, string path) => new Parser(stream, length, path).Parse();

    public static long AlignUp(long position, int alignment) => (position + alignment - 1) / alignment * alignment;

    private sealed class Parser(Stream stream, long length, string path)
    {
        private readonly byte[] scratch = new byte[8];

        private long Remaining => length - stream.Position;

        private PeftSharpException Bad(string what) => new($"{path}: {what}");

        public GgufHeader Parse()
        {
            if (length < 24) throw Bad($"{length} bytes is too short for a GGUF file (the header alone has 24)");
            uint magic = U32("the magic number");
            if (magic != Magic)
                throw Bad($"not a GGUF file (it starts with bytes {Convert.ToHexString(BitConverter.GetBytes(magic))}, expected 47475546 \"GGUF\")");
            uint version = U32("the version");
            if (version is not (2 or 3))
                throw Bad(version == 1 ? "GGUF version 1 is obsolete and not supported (re-convert the model)"
                    : BinaryPrimitives.ReverseEndianness(version) is 2 or 3 ? "a big-endian GGUF file; only little-endian files are supported"
                    : $"GGUF version {version} is not supported (supported: 2, 3)");
            ulong tensorCount = U64("the tensor count"), kvCount = U64("the metadata count");
            // Each metadata pair takes at least 8 (key length) + 1 + 4 (type) + 1 bytes, each tensor info at least 8 + 1 + 4 + 4 + 8.
            if (kvCount > (ulong)Remaining / 14) throw Bad($"claims {kvCount} metadata entries, more than its {length} bytes can hold (truncated or damaged)");
            var entries = new List<KeyValuePair<string, GgufValue>>((int)kvCount);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < kvCount; i++)
            {
                string key = String($"metadata key {i}");
                if (key.Length == 0) throw Bad($"metadata key {i} is empty");
                if (!keys.Add(key)) throw Bad($"metadata '{key}' appears twice");
                var type = ValueType($"metadata '{key}'");
                entries.Add(KeyValuePair.Create(key, Value(type, $"metadata '{key}'")));
            }
            var metadata = new GgufMetadata(path, entries);
            int alignment = ReadAlignment(metadata);

            if (tensorCount > (ulong)Remaining / 25) throw Bad($"claims {tensorCount} tensors, more than its {length} bytes can hold (truncated or damaged)");
            var infos = new List<(string Name, long[] Dims, GgufTensorType Type, ulong Offset)>((int)tensorCount);
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < tensorCount; i++)
            {
                string name = String($"tensor name {i}");
                if (name.Length == 0) throw Bad($"tensor {i} has an empty name");
                if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes) throw Bad($"tensor name '{name}' is longer than {MaxNameBytes} bytes");
                if (!names.Add(name)) throw Bad($"tensor '{name}' appears twice");
                uint dimensionCount = U32($"tensor '{name}': the number of dimensions");
                if (dimensionCount > MaxDimensions) throw Bad($"tensor '{name}' has {dimensionCount} dimensions (at most {MaxDimensions})");
                var dims = new long[dimensionCount];
                for (int d = 0; d < dims.Length; d++)
                {
                    ulong n = U64($"tensor '{name}': dimension {d}");
                    dims[d] = n <= long.MaxValue ? (long)n : throw Bad($"tensor '{name}': dimension {d} = {n} is too large");
                }
                uint type = U32($"tensor '{name}': the type");
                ulong offset = U64($"tensor '{name}': the offset");
                infos.Add((name, dims, CheckType(name, type, dims), offset));
            }
            long dataStart = AlignUp(stream.Position, alignment);
            if (dataStart > length && tensorCount > 0) throw Bad($"truncated: the tensor data would start at byte {dataStart} of {length}");
            var tensors = infos.Select(t => Locate(t.Name, t.Dims, t.Type, t.Offset, alignment, length - dataStart)).ToList();
            CheckOverlaps(tensors);
            return new GgufHeader(metadata, tensors, dataStart, alignment);
        }

        private int ReadAlignment(GgufMetadata metadata)
        {
            if (metadata.Find(AlignmentKey) is not { } value) return DefaultAlignment;
            if (value.Raw is not uint alignment) throw Bad($"metadata '{AlignmentKey}' must be uint32, found {value.TypeName}");
            if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 1 << 20)
                throw Bad($"metadata '{AlignmentKey}' = {alignment} must be a power of two (at most 1 MiB)");
            return (int)alignment;
        }

        private GgufTensorType CheckType(string name, uint type, long[] dims)
        {
            if (GgufTensorTypes.Block((GgufTensorType)type) is not { } block)
                throw Bad($"tensor '{name}' has type {GgufTensorTypes.Name(type)}, which PeftSharp cannot read (supported: {GgufTensorTypes.Supported}; re-quantise the model to one of these)");
            long rowLength = dims.Length > 0 ? dims[0] : 1;
            if (rowLength % block.Elements != 0)
                throw Bad($"tensor '{name}' of type {GgufTensorTypes.Name(type)} has rows of {rowLength} elements, not a multiple of its block of {block.Elements}");
            return (GgufTensorType)type;
        }

        private GgufTensorInfo Locate(string name, long[] dims, GgufTensorType type, ulong offset, int alignment, long dataLength)
        {
            long bytes;
            try
            {
                long elements = dims.Aggregate(1L, (a, b) => checked(a * b));
                // The product of the non-zero dimensions must fit too: torch computes strides from them.
                _ = dims.Where(d => d != 0).Aggregate(1L, (a, b) => checked(a * b));
                bytes = GgufTensorTypes.ByteSize(type, elements);
            }
            catch (OverflowException)
            {
                throw Bad($"tensor '{name}' with dimensions [{string.Join(", ", dims)}] is too large (its size overflows 64 bits)");
            }
            if (offset % (ulong)alignment != 0) throw Bad($"tensor '{name}': offset {offset} is not a multiple of the alignment {alignment}");
            if (offset > (ulong)dataLength || (ulong)bytes > (ulong)dataLength - offset)
                throw Bad($"tensor '{name}': its {bytes} bytes at offset {offset} lie outside the data section of {dataLength} bytes (truncated file?)");
            return new GgufTensorInfo(name, dims, type, (long)offset, bytes);
        }

        private void CheckOverlaps(IEnumerable<GgufTensorInfo> tensors)
        {
            GgufTensorInfo? previous = null;
            foreach (var t in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.Offset))
            {
                if (previous is not null && t.Offset < previous.Offset + previous.ByteLength)
                    throw Bad($"tensors '{previous.Name}' and '{t.Name}' overlap in the data section");
                previous = t;
            }
        }

        private GgufValueType ValueType(string what)
        {
            uint type = U32(what + ": the value type");
            return Enum.IsDefined((GgufValueType)type) ? (GgufValueType)type : throw Bad($"{what} has unknown value type {type}");
        }

        private GgufValue Value(GgufValueType type, string what)
        {
            if (type != GgufValueType.Array) return GgufValue.Read(type, Scalar(type, what));
            var elementType = ValueType(what + " (array)");
            if (elementType == GgufValueType.Array) throw Bad($"{what} is an array of arrays, which is not supported");
            ulong count = U64(what + ": the array length");
            int minimumSize = elementType == GgufValueType.String ? 8 : ScalarSize(elementType);
            if (count > (ulong)(Remaining / minimumSize)) throw Bad($"{what}: an array of {count} elements does not fit in the rest of the file (truncated or damaged)");
            return GgufValue.Read(type, Array(elementType, (int)count, what), elementType);
        }

        private static int ScalarSize(GgufValueType type) => type switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            _ => 8,
        };

        private object Scalar(GgufValueType type, string what)
        {
            switch (type)
            {
                case GgufValueType.String: return String(what);
                case GgufValueType.Bool:
                    byte b = Bytes(1, what)[0];
                    return b <= 1 ? b == 1 : throw Bad($"{what}: a bool must be 0 or 1, found {b}");
            }
            var bytes = Bytes(ScalarSize(type), what);
            // Each arm boxed as its own type: a switch expression would otherwise convert them all to double.
            return type switch
            {
                GgufValueType.UInt8 => (object)bytes[0],
                GgufValueType.Int8 => (object)(sbyte)bytes[0],
                GgufValueType.UInt16 => (object)BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                GgufValueType.Int16 => (object)BinaryPrimitives.ReadInt16LittleEndian(bytes),
                GgufValueType.UInt32 => (object)BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                GgufValueType.Int32 => (object)BinaryPrimitives.ReadInt32LittleEndian(bytes),
                GgufValueType.Float32 => (object)BinaryPrimitives.ReadSingleLittleEndian(bytes),
                GgufValueType.UInt64 => (object)BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                GgufValueType.Int64 => (object)BinaryPrimitives.ReadInt64LittleEndian(bytes),
                GgufValueType.Float64 => (object)BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                _ => throw new InvalidOperationException($"unexpected scalar type {type}"),
            };
        }

        private Array Array(GgufValueType type, int count, string what)
        {
            Array Fill<T>(Func<T> next) { var a = new T[count]; for (int i = 0; i < count; i++) a[i] = next(); return a; }
            return type switch
            {
                GgufValueType.String => Fill(() => String(what)),
                GgufValueType.UInt8 => Fill(() => (byte)Scalar(type, what)),
                GgufValueType.Int8 => Fill(() => (sbyte)Scalar(type, what)),
                GgufValueType.UInt16 => Fill(() => (ushort)Scalar(type, what)),
                GgufValueType.Int16 => Fill(() => (short)Scalar(type, what)),
                GgufValueType.UInt32 => Fill(() => (uint)Scalar(type, what)),
                GgufValueType.Int32 => Fill(() => (int)Scalar(type, what)),
                GgufValueType.Float32 => Fill(() => (float)Scalar(type, what)),
                GgufValueType.Bool => Fill(() => (bool)Scalar(type, what)),
                GgufValueType.UInt64 => Fill(() => (ulong)Scalar(type, what)),
                GgufValueType.Int64 => Fill(() => (long)Scalar(type, what)),
                GgufValueType.Float64 => Fill(() => (double)Scalar(type, what)),
                _ => throw new InvalidOperationException($"unexpected array element type {type}"),
            };
        }

        private string String(string what)
        {
            ulong size = U64(what + ": the string length");
            if (size > (ulong)Remaining) throw Bad($"{what}: a string of {size} bytes does not fit in the rest of the file (truncated or damaged)");
            var bytes = size <= 8 ? Bytes((int)size, what).ToArray() : new byte[size];
            if (size > 8) ReadExactly(bytes, what);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Bad($"{what} is not valid UTF-8");
            }
        }

        private uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));
        private ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, what));

        private ReadOnlySpan<byte> Bytes(int count, string what)
        {
            var span = scratch.AsSpan(0, count);
            ReadExactly(span, what);
            return span;
        }

        private void ReadExactly(Span<byte> target, string what)
        {
            if (target.Length > Remaining) throw Bad($"truncated while reading {what}");
            stream.ReadExactly(target);
        }
    }
}
