using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// A SentencePiece normalization rule set (normalizer_spec.precompiled_charsmap, e.g. nmt_nfkc): a uint32 trie size,
/// a darts-clone double-array trie over UTF-8 keys, then NUL-terminated replacement strings the trie's values point
/// into. The normalizer replaces the longest key that prefixes the remaining text.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] units;
    private readonly byte[] replacements;
    private readonly ConcurrentDictionary<int, string> decoded = new();
    private readonly System.Collections.BitArray startsNoKey = new(0x10000);

    private PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        this.units = units;
        this.replacements = replacements;
        // Most characters begin no rule at all: knowing that up front spares the trie walk for them.
        Span<byte> utf8 = stackalloc byte[3];
        for (int c = 0; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            int length = new Rune(c).EncodeToUtf8(utf8);
            startsNoKey[c] = !IsKeyPrefix(utf8[..length]);
        }
    }

    /// <summary>Whether some key starts with these bytes.</summary>
    private bool IsKeyPrefix(ReadOnlySpan<byte> bytes)
    {
        if (units.Length == 0) return false;
        uint id = Offset(units[0]);
        foreach (byte b in bytes)
        {
            id ^= b;
            if (id >= units.Length || (units[id] & ((1u << 31) | 0xFF)) != b) return false;
            id ^= Offset(units[id]);
        }
        return true;
    }

    /// <summary>The map, or null when the blob is empty (the "identity" rule).</summary>
    /// <exception cref="FormatException">The blob is malformed.</exception>
    public static PrecompiledCharsMap? Parse(byte[] blob)
    {
        if (blob.Length == 0) return null;
        if (blob.Length <= 4) throw new FormatException("precompiled_charsmap is too short");
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize > (uint)(blob.Length - 4)) throw new FormatException($"precompiled_charsmap trie size {trieSize} does not fit the blob");
        var units = new uint[trieSize / 4];
        for (int i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + 4 * i));
        return new PrecompiledCharsMap(units, blob[(4 + (int)trieSize)..]);
    }

    /// <summary>
    /// The longest rule whose key starts <paramref name="text"/> at <paramref name="start"/>: how many UTF-16 chars it
    /// covers (0 when none) and its replacement. Keys are whole characters, so a match ends between two of them.
    /// </summary>
    public int LongestMatch(string text, int start, out string replacement)
    {
        replacement = "";
        if (units.Length == 0 || startsNoKey[text[start]]) return 0;
        Span<byte> utf8 = stackalloc byte[4];
        uint id = Offset(units[0]);
        int matchedChars = 0, matchedValue = -1;
        int position = start;
        while (position < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(position), out var rune, out int width) != System.Buffers.OperationStatus.Done) break;
            int length = rune.EncodeToUtf8(utf8);
            for (int k = 0; k < length; k++)
            {
                id ^= utf8[k];
                if (id >= units.Length) return Finish(matchedChars, matchedValue, out replacement);
                uint unit = units[id];
                if ((unit & ((1u << 31) | 0xFF)) != utf8[k]) return Finish(matchedChars, matchedValue, out replacement);
                id ^= Offset(unit);
                if (((unit >> 8) & 1) != 0 && k == length - 1 && id < units.Length)
                {
                    matchedChars = position + width - start;
                    matchedValue = (int)(units[id] & 0x7FFFFFFF);
                }
            }
            position += width;
        }
        return Finish(matchedChars, matchedValue, out replacement);
    }

    private int Finish(int matchedChars, int value, out string replacement)
    {
        replacement = matchedChars == 0 ? "" : Replacement(value);
        return matchedChars;
    }

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    /// <summary>The NUL-terminated string at <paramref name="value"/>; a value past the strings means "no replacement".</summary>
    private string Replacement(int value) => decoded.GetOrAdd(value, v =>
    {
        if (v >= replacements.Length) return "";
        int end = Array.IndexOf(replacements, (byte)0, v);
        return Encoding.UTF8.GetString(replacements, v, (end < 0 ? replacements.Length : end) - v);
    });
}
