namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// The pieces of a model as SentencePiece's ModelInterface indexes them: normal, user-defined and unused pieces can be
/// produced by the algorithms; control, unknown and byte pieces are reserved (looked up first, never matched in text).
/// </summary>
internal sealed class PieceVocabulary
{
    private readonly Piece[] _pieces;
    private readonly Dictionary<string, int> _matchable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly int[] _byteIds = new int[256];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _matchableBySpan, _reservedBySpan;

    public PieceVocabulary(IReadOnlyList<Piece> pieces)
    {
        _pieces = [.. pieces];
        Array.Fill(_byteIds, -1);
        for (int id = 0; id < _pieces.Length; id++)
        {
            var piece = _pieces[id];
            bool matchable = piece.Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused;
            (matchable ? _matchable : _reserved)[piece.Text] = id;
            if (piece.Type == PieceType.Unknown) UnknownId = id;
            if (piece.Type == PieceType.Byte) _byteIds[SentencePieceModel.ByteOfPiece(piece.Text)] = id;
        }
        foreach (var piece in _pieces)
        {
            if (piece.Type != PieceType.Normal) continue;
            MinScore = Math.Min(MinScore, piece.Score);
            MaxScore = Math.Max(MaxScore, piece.Score);
        }
        _matchableBySpan = _matchable.GetAlternateLookup<ReadOnlySpan<char>>();
        _reservedBySpan = _reserved.GetAlternateLookup<ReadOnlySpan<char>>();
        Trie = new PieceTrie(_matchable);
        UserDefined = new PieceTrie(_matchable.Where(kv => _pieces[kv.Value].Type == PieceType.UserDefined));
    }

    public int Count => _pieces.Length;
    public int UnknownId { get; }

    /// <summary>Lowest and highest score of a normal piece; start values FLT_MAX and FLT_MIN as in unigram_model.cc.</summary>
    public float MinScore { get; } = float.MaxValue;
    public float MaxScore { get; } = 1.17549435E-38f;

    /// <summary>Every piece an algorithm may produce (normal, user-defined, unused).</summary>
    public PieceTrie Trie { get; }

    /// <summary>The user-defined pieces: kept whole by the normalizer and never merged by BPE.</summary>
    public PieceTrie UserDefined { get; }

    public Piece this[int id] => _pieces[id];

    /// <summary>ModelInterface::PieceToId: reserved pieces first, then the others, else the unknown id.</summary>
    public int PieceToId(ReadOnlySpan<char> piece) =>
        _reservedBySpan.TryGetValue(piece, out int id) ? id : _matchableBySpan.TryGetValue(piece, out id) ? id : UnknownId;

    /// <summary>The id of a piece of any type, or null.</summary>
    public int? Find(string piece) => _reserved.TryGetValue(piece, out int id) || _matchable.TryGetValue(piece, out id) ? id : null;

    /// <summary>The id of a normal, user-defined or unused piece, or -1.</summary>
    public int MatchableId(ReadOnlySpan<char> piece) => _matchableBySpan.TryGetValue(piece, out int id) ? id : -1;

    /// <summary>The id of the piece &lt;0xXX&gt; of a byte.</summary>
    public int ByteId(byte b) => _byteIds[b];

    public bool IsType(int id, PieceType type) => id >= 0 && id < _pieces.Length && _pieces[id].Type == type;
}
