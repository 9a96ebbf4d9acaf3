using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c> table: every byte gets a printable character so that byte-level BPE tokens are
/// readable strings. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 bytes map
/// to U+0100, U+0101, … in byte order (space 0x20 becomes 'Ġ', newline 0x0A becomes 'Ċ').
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Byte value → its character.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>
    /// The 256 byte characters in GPT-2's vocabulary order: the printable bytes first (in byte order), then the
    /// remapped ones. Real GPT-2 vocab.json files use this order for ids 0..255.
    /// </summary>
    public static readonly char[] VocabularyOrder = BuildVocabularyOrder();

    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static bool IsPrintable(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
            map[b] = IsPrintable(b) ? (char)b : (char)(256 + next++);
        return map;
    }

    private static char[] BuildVocabularyOrder()
    {
        var printable = Enumerable.Range(0, 256).Where(IsPrintable);
        var other = Enumerable.Range(0, 256).Where(b => !IsPrintable(b));
        return printable.Concat(other).Select(b => ByteToChar[b]).ToArray();
    }

    /// <summary>UTF-8 encodes <paramref name="text"/> and maps each byte to its character.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text)];
        Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(bytes.Length, bytes, static (chars, b) =>
        {
            for (int i = 0; i < b.Length; i++) chars[i] = ByteToChar[b[i]];
        });
    }

    /// <summary>
    /// Appends the bytes a token string stands for. Characters outside the table (e.g. in added tokens such as
    /// "&lt;|endoftext|&gt;" with a space) are taken as their own UTF-8 bytes, as HF's ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < token.Length; i++)
        {
            if (CharToByte.TryGetValue(token[i], out byte b))
            {
                bytes.Add(b);
                continue;
            }
            int length = char.IsHighSurrogate(token[i]) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1]) ? 2 : 1;
            int written = Encoding.UTF8.GetBytes(token.AsSpan(i, length), utf8);
            for (int k = 0; k < written; k++) bytes.Add(utf8[k]);
            i += length - 1;
        }
    }
}
