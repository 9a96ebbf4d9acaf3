using System.Buffers.Binary;
using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// The two facts about a SentencePiece model (.model protobuf) that Microsoft.ML.Tokenizers 2.0.1 does not act on:
/// its model type (Unigram merges runs of unknown characters into one unknown piece), and the characters its
/// precompiled normalization map deletes (nmt_nfkc deletes control characters such as U+0001 or U+007F; the
/// library copies characters whose mapping is empty instead of dropping them).
/// </summary>
internal sealed class SentencePieceModelInfo
{
    public const int Unigram = 1, Bpe = 2;

    private SentencePieceModelInfo(int modelType, HashSet<int> deleted)
    {
        ModelType = modelType;
        DeletedCodePoints = deleted;
    }

    /// <summary>trainer_spec.model_type: 1 Unigram (the default), 2 BPE, 3 word, 4 char.</summary>
    public int ModelType { get; }

    /// <summary>Code points the normalizer maps to nothing.</summary>
    public IReadOnlySet<int> DeletedCodePoints { get; }

    /// <exception cref="PeftSharpException">The file is not a well-formed SentencePiece model.</exception>
    public static SentencePieceModelInfo Read(string path)
    {
        byte[] model = File.ReadAllBytes(path);
        try
        {
            int modelType = Unigram;
            byte[]? charsMap = null;
            foreach (var (field, value) in Fields(model))
            {
                if (field == 2) // trainer_spec
                    foreach (var (f, v) in Fields(value.Span)) { if (f == 3) modelType = (int)v.Varint; }
                if (field == 3) // normalizer_spec
                    foreach (var (f, v) in Fields(value.Span)) { if (f == 2) charsMap = v.Span.ToArray(); }
            }
            return new SentencePieceModelInfo(modelType, charsMap is null || charsMap.Length == 0 ? [] : DeletedByCharsMap(charsMap));
        }
        catch (FormatException e)
        {
            throw new PeftSharpException($"{path}: not a readable SentencePiece model ({e.Message})", e);
        }
    }

    /// <summary>A protobuf field value: varint (wire type 0) or bytes (wire type 2).</summary>
    private readonly record struct FieldValue(ulong Varint, ReadOnlyMemory<byte> Bytes)
    {
        public ReadOnlySpan<byte> Span => Bytes.Span;
    }

    private static List<(int Field, FieldValue Value)> Fields(ReadOnlySpan<byte> data) => Fields(data.ToArray());

    private static List<(int Field, FieldValue Value)> Fields(byte[] data)
    {
        var fields = new List<(int, FieldValue)>();
        int position = 0;
        while (position < data.Length)
        {
            ulong key = ReadVarint(data, ref position);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0: fields.Add((field, new FieldValue(ReadVarint(data, ref position), default))); break;
                case 1: Skip(data, ref position, 8); break;
                case 5: Skip(data, ref position, 4); break;
                case 2:
                    ulong length = ReadVarint(data, ref position);
                    if (length > (ulong)(data.Length - position)) throw new FormatException($"field {field} claims {length} bytes, {data.Length - position} remain");
                    fields.Add((field, new FieldValue(0, new ReadOnlyMemory<byte>(data, position, (int)length))));
                    position += (int)length;
                    break;
                default: throw new FormatException($"unknown protobuf wire type {key & 7} at byte {position}");
            }
        }
        return fields;
    }

    private static void Skip(byte[] data, ref int position, int count)
    {
        if (count > data.Length - position) throw new FormatException("truncated fixed-size field");
        position += count;
    }

    private static ulong ReadVarint(byte[] data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new FormatException("truncated varint");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    /// <summary>
    /// The charsmap is a uint32 trie size, a darts-clone double-array trie over UTF-8 keys whose values point into a
    /// blob of NUL-terminated replacement strings. A code point is deleted when its own key maps to an empty string.
    /// </summary>
    private static HashSet<int> DeletedByCharsMap(byte[] blob)
    {
        if (blob.Length <= 4) throw new FormatException("precompiled_charsmap is too short");
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize > (uint)(blob.Length - 4)) throw new FormatException($"precompiled_charsmap trie size {trieSize} does not fit the blob");
        var units = new uint[trieSize / 4];
        for (int i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + 4 * i));
        var strings = blob.AsSpan(4 + (int)trieSize);

        var deleted = new HashSet<int>();
        Span<byte> key = stackalloc byte[4];
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            int length = new Rune(cp).EncodeToUtf8(key);
            int value = ExactMatch(units, key[..length]);
            if (value >= 0 && value < strings.Length && strings[value] == 0) deleted.Add(cp);
        }
        return deleted;
    }

    /// <summary>darts-clone exactMatchSearch: the value stored for <paramref name="key"/>, or -1.</summary>
    private static int ExactMatch(uint[] units, ReadOnlySpan<byte> key)
    {
        static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
        static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);
        if (units.Length == 0) return -1;
        uint position = 0;
        uint current = units[0];
        foreach (byte b in key)
        {
            position ^= Offset(current) ^ b;
            if (position >= units.Length) return -1;
            current = units[position];
            if (Label(current) != b) return -1;
        }
        if (((current >> 8) & 1) == 0) return -1; // no leaf
        uint leaf = position ^ Offset(current);
        if (leaf >= units.Length) return -1;
        return (int)(units[leaf] & 0x7FFFFFFF);
    }

    /// <summary>The text without the characters the normalizer deletes.</summary>
    public string RemoveDeleted(string text)
    {
        if (DeletedCodePoints.Count == 0) return text;
        StringBuilder? output = null;
        int i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (DeletedCodePoints.Contains(rune.Value))
            {
                output ??= new StringBuilder(text, 0, i, text.Length);
            }
            else
            {
                output?.Append(rune.ToString());
            }
            i += rune.Utf16SequenceLength;
        }
        return output?.ToString() ?? text;
    }
}
