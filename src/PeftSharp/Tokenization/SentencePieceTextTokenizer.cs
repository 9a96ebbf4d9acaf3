using PeftSharp.Tokenization.SentencePiece;

namespace PeftSharp.Tokenization;

/// <summary>
/// SentencePiece models (LLaMA-2 tokenizer.model: BPE with byte fallback; DeBERTa-v3 spm.model: Unigram), encoded and
/// decoded exactly as the official SentencePiece library does (<see cref="SentencePieceProcessor"/>), wrapped the way
/// HF's slow tokenizers of these models wrap it: added tokens are cut out of the raw text first and the text between
/// them is encoded on its own. Ids are the piece ids; added tokens (DeBERTa-v3's <c>[MASK]</c>) come after them.
/// </summary>
internal sealed class SentencePieceTextTokenizer : TextTokenizer
{
    private readonly SentencePieceProcessor processor;
    private readonly NonLegacyLlama? nonLegacy;
    private readonly bool lowerCase;

    /// <param name="processor">The model.</param>
    /// <param name="lowerCase">Lower-case the text between added tokens first (DeBERTa's do_lower_case).</param>
    /// <param name="nonLegacy">HF LlamaTokenizer's legacy = false behaviour, or null for the legacy one.</param>
    /// <param name="setup">Special tokens.</param>
    public SentencePieceTextTokenizer(SentencePieceProcessor processor, bool lowerCase, NonLegacyLlama? nonLegacy, TokenizerSetup setup) : base(setup)
    {
        this.processor = processor;
        this.lowerCase = lowerCase;
        this.nonLegacy = nonLegacy;
    }

    /// <summary>
    /// HF LlamaTokenizer with legacy = false: SentencePiece without its dummy prefix; "▁" is put in front of the whole
    /// text instead (add_prefix_space), and a segment that starts with a space is encoded after the unknown token's text,
    /// whose pieces are then dropped, so that the space is not merged away. A lone leading "▁" before a special token
    /// is dropped.
    /// </summary>
    /// <param name="Processor">The model with add_dummy_prefix off.</param>
    /// <param name="UnknownText">The unknown token's text, e.g. "&lt;unk&gt;".</param>
    /// <param name="AddPrefixSpace">add_prefix_space of tokenizer_config.json (default true).</param>
    internal sealed record NonLegacyLlama(SentencePieceProcessor Processor, string UnknownText, bool AddPrefixSpace)
    {
        public int UnknownLength { get; } = Count(Processor, UnknownText);

        private static int Count(SentencePieceProcessor processor, string text)
        {
            var ids = new List<int>();
            processor.Encode(text, ids);
            return ids.Count;
        }
    }

    protected override int ModelVocabSize => processor.Vocabulary.Count;

    protected override void EncodePlain(string text, List<int> ids) => processor.Encode(lowerCase ? CharacterTables.ToLower(text) : text, ids);

    protected override List<int> EncodeText(string text)
    {
        if (nonLegacy is not { } llama || text.Length == 0) return base.EncodeText(text);
        text = text.Replace(SentencePieceNormalizer.SpaceSymbol, ' ');
        if (llama.AddPrefixSpace) text = SentencePieceNormalizer.SpaceSymbol + text;
        var ids = new List<int>();
        foreach (var segment in SplitAddedTokens(text))
        {
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
            }
            else if (segment.Text![0] is SentencePieceNormalizer.SpaceSymbol or ' ')
            {
                var withUnknown = new List<int>();
                llama.Processor.Encode(llama.UnknownText + segment.Text, withUnknown);
                ids.AddRange(withUnknown.Count >= llama.UnknownLength ? withUnknown.Skip(llama.UnknownLength) : withUnknown);
            }
            else
            {
                llama.Processor.Encode(segment.Text, ids);
            }
        }
        if (ids.Count > 1 && IsSpecial(ids[1]) && ModelIdToToken(ids[0]) == "\u2581") ids.RemoveAt(0);
        return ids;
    }

    protected override string DecodePlain(IReadOnlyList<int> ids) => processor.Decode(ids);

    protected override string? ModelIdToToken(int id) => id >= 0 && id < processor.Vocabulary.Count ? processor.Vocabulary[id].Text : null;

    protected override int? ModelTokenToId(string token) => processor.Vocabulary.Find(token);
}
