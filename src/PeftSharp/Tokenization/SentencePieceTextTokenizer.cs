using Microsoft.ML.Tokenizers;

namespace PeftSharp.Tokenization;

/// <summary>
/// SentencePiece models (LLaMA-2 tokenizer.model: BPE with byte fallback; DeBERTa-v3 spm.model: Unigram) encoded
/// and decoded by Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>, which reads the model's normalizer
/// spec (dummy prefix, whitespace handling, precompiled NFKC map). Ids are the SentencePiece piece ids; added tokens
/// (<c>[MASK]</c> of DeBERTa-v3, say) come after them. Text between added tokens is encoded on its own, with its own
/// dummy prefix: HF's "legacy" LLaMA behaviour.
/// </summary>
internal sealed class SentencePieceTextTokenizer : TextTokenizer
{
    private readonly SentencePieceTokenizer _model;
    private readonly string?[] _pieces;
    private readonly bool _lowerCase;
    private readonly SentencePieceModelInfo _info;

    /// <param name="model">The SentencePiece model.</param>
    /// <param name="info">
    /// What the library does not act on: a Unigram model turns a run of unknown characters into one unknown piece
    /// (Microsoft.ML.Tokenizers 2.0.1 emits one per character), and characters the normalizer deletes must go.
    /// </param>
    /// <param name="lowerCase">Lower-case the text first (DeBERTa's do_lower_case).</param>
    /// <param name="setup">Special tokens.</param>
    public SentencePieceTextTokenizer(SentencePieceTokenizer model, SentencePieceModelInfo info, bool lowerCase, TokenizerSetup setup) : base(setup)
    {
        _model = model;
        _info = info;
        _lowerCase = lowerCase;
        _pieces = PiecesById(model);
    }

    internal static string?[] PiecesById(SentencePieceTokenizer model)
    {
        var pieces = new string?[model.Vocabulary.Count == 0 ? 0 : model.Vocabulary.Values.Max() + 1];
        foreach (var (piece, id) in model.Vocabulary) pieces[id] = piece;
        return pieces;
    }

    protected override int ModelVocabSize => _pieces.Length;

    protected override void EncodePlain(string text, List<int> ids)
    {
        int start = ids.Count;
        if (_lowerCase) text = text.ToLowerInvariant();
        text = _info.RemoveDeleted(text);
        bool mergeUnknownRuns = _info.ModelType == SentencePieceModelInfo.Unigram;
        int unknown = _model.UnknownId;
        foreach (int id in _model.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false))
        {
            if (mergeUnknownRuns && id == unknown && ids.Count > start && ids[^1] == unknown) continue;
            ids.Add(id);
        }
    }

    protected override string DecodePlain(IReadOnlyList<int> ids) =>
        _model.Decode(ids.Where(id => id >= 0 && id < _pieces.Length), considerSpecialTokens: false);

    protected override string? ModelIdToToken(int id) => id >= 0 && id < _pieces.Length ? _pieces[id] : null;

    protected override int? ModelTokenToId(string token) => _model.Vocabulary.TryGetValue(token, out int id) ? id : null;
}
