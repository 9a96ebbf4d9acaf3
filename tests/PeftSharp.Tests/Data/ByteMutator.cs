using System.Text;
using CsCheck;

namespace PeftSharp.Tests.Data;

/// <summary>
/// Mutates valid data files into damaged ones for property tests: bit flips, inserted and deleted
/// bytes, duplicated and truncated ranges, and insertions of tokens that matter to the formats
/// (quotes, brackets, separators, line breaks, invalid UTF-8, huge numbers, wrong-typed values).
/// Each mutation is driven by one random uint, so CsCheck can shrink a failing case.
/// </summary>
internal static class ByteMutator
{
    private static readonly byte[][] Tokens = new[]
    {
        "\"", "\\", "{", "}", "[", "]", ",", ":", "\n", "\r\n", "\t", "||", "\"\"", " ",
        "null", "true", "-1", "-100", "0", "3", "2.5", "1e999", "-0", "99999999999999999999", "\"x\"", "[]", "{}", "[[[[[[[[",
        "\"input_ids\"", "\"labels\"", "\"text\"", "\"prompt\"", "\"completion\"", "\"label\"", "\"sentence\"", "\"sentence1\"",
        "\"answer\"", "\"instruction\"", "entailment", "not_entailment", "\\u0000", "\\ud800", "é", "😀",
    }.Select(Encoding.UTF8.GetBytes).Concat(new byte[][] { [0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x00] }).ToArray();

    /// <summary>(index of the seed file, mutation drivers).</summary>
    public static Gen<(int Seed, uint[] Ops)> Gen(int seeds) => CsCheck.Gen.Select(CsCheck.Gen.Int[0, seeds - 1], CsCheck.Gen.UInt.Array[1, 8]);

    public static byte[] Apply(byte[] seed, uint[] ops)
    {
        var bytes = new List<byte>(seed);
        foreach (var op in ops)
        {
            uint r = op / 12;
            int pos = (int)(r % (uint)(bytes.Count + 1));
            int length = 1 + (int)(r >> 20) % 24;
            switch (op % 12)
            {
                case 0 when pos < bytes.Count: bytes[pos] ^= (byte)(1 << (int)(r >> 24) % 8); break;
                case 1: bytes.Insert(pos, (byte)(r >> 16)); break;
                case 2: bytes.RemoveRange(pos, Math.Min(length, bytes.Count - pos)); break;
                case 3: bytes.InsertRange(pos, bytes.GetRange(pos, Math.Min(length, bytes.Count - pos))); break;
                case 4: bytes.RemoveRange(pos, bytes.Count - pos); break;
                case 5:
                case 6:
                case 7: bytes.InsertRange(pos, Tokens[(int)(r >> 16) % Tokens.Length]); break;
                case 8 when pos < bytes.Count:
                    var token = Tokens[(int)(r >> 16) % Tokens.Length];
                    bytes.RemoveRange(pos, Math.Min(token.Length, bytes.Count - pos));
                    bytes.InsertRange(pos, token);
                    break;
                case 9: // repeat a slice many times: long lines and big files, still bounded
                    var slice = bytes.GetRange(pos, Math.Min(length, bytes.Count - pos));
                    for (int k = 0; k < 1 + (int)(r >> 24) * 8 && slice.Count > 0; k++) bytes.InsertRange(pos, slice);
                    break;
                case 10: // swap the halves around pos (reorders lines and fields)
                    var tail = bytes.GetRange(pos, bytes.Count - pos);
                    bytes.RemoveRange(pos, bytes.Count - pos);
                    bytes.InsertRange(0, tail);
                    break;
                case 11 when pos < bytes.Count: bytes[pos] = (byte)(r >> 16); break;
            }
        }
        return [.. bytes];
    }
}
