using System.Text;

namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// The official SentencePieceProcessor's Encode (to ids) and Decode, on a parsed model: normalize, segment with the
/// model's algorithm, then (PopulateSentencePieceText) spell an unknown piece out as its UTF-8 byte pieces when the
/// model has byte fallback, or else fuse a run of unknown pieces into one.
/// </summary>
internal sealed class SentencePieceProcessor
{
    private readonly SentencePieceModel model;
    private readonly PieceVocabulary vocabulary;
    private readonly SentencePieceNormalizer normalizer;
    private readonly ISegmenter segmenter;

    /// <param name="model">The parsed model.</param>
    /// <param name="addDummyPrefix">Overrides normalizer_spec.add_dummy_prefix when set (HF's non-legacy LLaMA turns it off).</param>
    /// <exception cref="FormatException">The precompiled character map is malformed.</exception>
    public SentencePieceProcessor(SentencePieceModel model, bool? addDummyPrefix = null)
    {
        this.model = model;
        vocabulary = new PieceVocabulary(model.Pieces);
        var spec = addDummyPrefix is bool add ? model.Normalizer with { AddDummyPrefix = add } : model.Normalizer;
        normalizer = new SentencePieceNormalizer(PrecompiledCharsMap.Parse(model.Normalizer.CharsMap), vocabulary.UserDefined, spec, model.TreatWhitespaceAsSuffix);
        segmenter = model.ModelType == SentencePieceModel.BpeType ? new BpeSegmenter(vocabulary) : new UnigramSegmenter(vocabulary);
    }

    public PieceVocabulary Vocabulary => vocabulary;

    /// <summary>SentencePieceProcessor::Encode(text) → ids.</summary>
    public void Encode(string text, List<int> ids)
    {
        string normalized = normalizer.Normalize(text);
        var segments = new List<Segment>();
        segmenter.Segment(normalized, segments);
        bool previousUnknown = false;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var segment in segments)
        {
            bool unknown = segment.Id == vocabulary.UnknownId;
            if (unknown && model.ByteFallback)
            {
                foreach (var rune in normalized.AsSpan(segment.Start, segment.Length).EnumerateRunes())
                {
                    int length = rune.EncodeToUtf8(utf8);
                    for (int k = 0; k < length; k++) ids.Add(vocabulary.ByteId(utf8[k]));
                }
            }
            else if (!(unknown && previousUnknown))
            {
                ids.Add(segment.Id);
            }
            previousUnknown = unknown;
        }
    }

    /// <summary>SentencePieceProcessor::Decode(ids): ids outside the vocabulary are skipped.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        var pendingBytes = new List<byte>();
        bool expectBosSpace = true, bosSpaceSeen = false;
        var spec = model.Normalizer;
        foreach (int id in ids)
        {
            if (id < 0 || id >= vocabulary.Count) continue;
            var piece = vocabulary[id];
            if (piece.Type == PieceType.Byte)
            {
                pendingBytes.Add((byte)SentencePieceModel.ByteOfPiece(piece.Text));
                continue;
            }
            FlushBytes(pendingBytes, text);
            if (bosSpaceSeen || text.Length > 0) expectBosSpace = false;
            bosSpaceSeen = false;
            switch (piece.Type)
            {
                case PieceType.Control:
                    break;
                case PieceType.Unknown:
                    text.Append(model.UnknownSurface);
                    break;
                default:
                    var surface = piece.Text.AsSpan();
                    if (expectBosSpace && (spec.AddDummyPrefix || spec.RemoveExtraWhitespaces) && surface.Length > 0 && surface[0] == SentencePieceNormalizer.SpaceSymbol)
                    {
                        surface = surface[1..];
                        bosSpaceSeen = !spec.RemoveExtraWhitespaces;
                    }
                    foreach (char c in surface) text.Append(c == SentencePieceNormalizer.SpaceSymbol ? ' ' : c);
                    break;
            }
        }
        FlushBytes(pendingBytes, text);
        return text.ToString();
    }

    /// <summary>Byte pieces decode as UTF-8; each byte that starts no valid sequence becomes U+FFFD (util.cc DecodeUTF8).</summary>
    private static void FlushBytes(List<byte> bytes, StringBuilder text)
    {
        int offset = 0;
        while (offset < bytes.Count)
        {
            int length = ValidSequenceLength(bytes, offset);
            if (length == 0)
            {
                text.Append('\uFFFD');
                offset++;
            }
            else
            {
                text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).Slice(offset, length)));
                offset += length;
            }
        }
        bytes.Clear();
    }

    /// <summary>Length of the well-formed UTF-8 sequence at <paramref name="offset"/> (shortest form, no surrogates), or 0.</summary>
    private static int ValidSequenceLength(List<byte> bytes, int offset)
    {
        int b0 = bytes[offset], available = bytes.Count - offset;
        bool Trail(int i) => (bytes[offset + i] & 0xC0) == 0x80;
        static bool Valid(int cp) => cp < 0xD800 || cp is >= 0xE000 and <= 0x10FFFF;
        if (b0 < 0x80) return 1;
        if (available >= 2 && (b0 & 0xE0) == 0xC0)
        {
            int cp = ((b0 & 0x1F) << 6) | (bytes[offset + 1] & 0x3F);
            return Trail(1) && cp >= 0x80 ? 2 : 0;
        }
        if (available >= 3 && (b0 & 0xF0) == 0xE0)
        {
            int cp = ((b0 & 0x0F) << 12) | ((bytes[offset + 1] & 0x3F) << 6) | (bytes[offset + 2] & 0x3F);
            return Trail(1) && Trail(2) && cp >= 0x800 && Valid(cp) ? 3 : 0;
        }
        if (available >= 4 && (b0 & 0xF8) == 0xF0)
        {
            int cp = ((b0 & 0x07) << 18) | ((bytes[offset + 1] & 0x3F) << 12) | ((bytes[offset + 2] & 0x3F) << 6) | (bytes[offset + 3] & 0x3F);
            return Trail(1) && Trail(2) && Trail(3) && cp >= 0x10000 && Valid(cp) ? 4 : 0;
        }
        return 0;
    }
}
