using Microsoft.ML.Tokenizers;

namespace PeftSharp.Tokenization;

/// <summary>
/// BERT's WordPiece (vocab.txt): HF BasicTokenizer text cleaning, lower-casing, accent stripping and punctuation
/// splitting (<see cref="BertTextNormalizer"/>, <see cref="BertPreTokenizer"/>), then greedy longest-match-first
/// WordPiece with "##" continuations by Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>.
/// </summary>
internal sealed class WordPieceTextTokenizer : TextTokenizer
{
    private readonly BertTokenizer _model;
    private readonly IReadOnlyList<string> _tokens;
    private readonly Dictionary<string, int> _ids;

    public WordPieceTextTokenizer(BertTokenizer model, IReadOnlyList<string> tokens, TokenizerSetup setup) : base(setup)
    {
        _model = model;
        _tokens = tokens;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) _ids[tokens[i]] = i;
    }

    protected override int ModelVocabSize => _tokens.Count;

    protected override string SegmentSeparator => " ";

    protected override void EncodePlain(string text, List<int> ids) =>
        ids.AddRange(_model.EncodeToIds(text, addSpecialTokens: false));

    /// <summary>HF's convert_tokens_to_string: tokens joined by spaces, "##" continuations glued on.</summary>
    protected override string DecodePlain(IReadOnlyList<int> ids) =>
        string.Join(' ', ids.Select(ModelIdToToken).Where(t => t is not null)).Replace(" ##", "").Trim();

    protected override string? ModelIdToToken(int id) => id >= 0 && id < _tokens.Count ? _tokens[id] : null;

    protected override int? ModelTokenToId(string token) => _ids.TryGetValue(token, out int id) ? id : null;
}
