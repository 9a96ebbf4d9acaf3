using System.Text;

namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// SentencePiece's Normalizer::Normalize: user-defined pieces are kept as they are, everything else is rewritten by
/// the longest rule of the precompiled map (none for "identity"); then runs of spaces are squeezed and leading and
/// trailing spaces dropped (remove_extra_whitespaces), a space is put in front (add_dummy_prefix; behind with
/// treat_whitespace_as_suffix) and spaces become U+2581 "▁" (escape_whitespaces).
/// </summary>
internal sealed class SentencePieceNormalizer
{
    public const char SpaceSymbol = '\u2581';

    private readonly PrecompiledCharsMap? map;
    private readonly PieceTrie userDefined;
    private readonly bool addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, suffix;

    public SentencePieceNormalizer(PrecompiledCharsMap? map, PieceTrie userDefined, SentencePieceModel.NormalizerSpec spec, bool treatWhitespaceAsSuffix)
    {
        this.map = map;
        this.userDefined = userDefined;
        addDummyPrefix = spec.AddDummyPrefix;
        removeExtraWhitespaces = spec.RemoveExtraWhitespaces;
        escapeWhitespaces = spec.EscapeWhitespaces;
        suffix = treatWhitespaceAsSuffix;
    }

    public string Normalize(string input)
    {
        int position = 0;
        if (removeExtraWhitespaces)
        {
            while (position < input.Length)
            {
                int consumed = NormalizePrefix(input, position, out var replaced);
                if (!Piece(input, position, consumed, replaced).SequenceEqual(" ")) break;
                position += consumed;
            }
        }
        if (position == input.Length) return "";

        var output = new StringBuilder(input.Length + 4);
        char space = escapeWhitespaces ? SpaceSymbol : ' ';
        if (!suffix && addDummyPrefix) output.Append(space);
        bool previousIsSpace = removeExtraWhitespaces;
        while (position < input.Length)
        {
            int consumed = NormalizePrefix(input, position, out var replaced);
            var piece = Piece(input, position, consumed, replaced);
            int skip = 0;
            if (previousIsSpace)
                while (skip < piece.Length && piece[skip] == ' ') skip++;
            if (skip < piece.Length)
            {
                for (int i = skip; i < piece.Length; i++) output.Append(piece[i] == ' ' ? space : piece[i]);
                previousIsSpace = piece[^1] == ' ';
            }
            position += consumed;
            if (!removeExtraWhitespaces) previousIsSpace = false;
        }
        if (removeExtraWhitespaces)
            while (output.Length > 0 && output[^1] == space) output.Length--;
        if (suffix && addDummyPrefix) output.Append(space);
        return output.ToString();
    }

    private static ReadOnlySpan<char> Piece(string text, int start, int consumed, string? replacement) =>
        replacement is null ? text.AsSpan(start, consumed) : replacement;

    /// <summary>
    /// Normalizer::NormalizePrefix: how many chars at <paramref name="start"/> form the next unit, and what replaces
    /// them (null: the unit is kept as it is).
    /// </summary>
    private int NormalizePrefix(string text, int start, out string? replacement)
    {
        replacement = null;
        int userDefined = this.userDefined.IsEmpty ? 0 : this.userDefined.LongestPrefix(text, start);
        if (userDefined > 0) return userDefined;
        if (map is not null)
        {
            int matched = map.LongestMatch(text, start, out var mapped);
            if (matched > 0)
            {
                replacement = mapped;
                return matched;
            }
        }
        if (char.IsHighSurrogate(text[start]) && start + 1 < text.Length && char.IsLowSurrogate(text[start + 1])) return 2;
        // A lone surrogate has no UTF-8 form: SentencePiece reads malformed input as U+FFFD.
        if (char.IsSurrogate(text[start])) replacement = "\uFFFD";
        return 1;
    }
}
