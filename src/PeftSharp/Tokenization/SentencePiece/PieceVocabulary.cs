namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// The pieces of a model as SentencePiece's ModelInterface indexes them: normal, user-defined and unused pieces can be
/// produced by the algorithms; control, unknown and byte pieces are reserved (looked up first, never matched in text).
/// </summary>
internal sealed class PieceVocabulary
{
    private readonly Piece[] pieces;
    private readonly Dictionary<string, int> matchable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> reserved = new(StringComparer.Ordinal);
    private readonly int[] byteIds = new int[256];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> matchableBySpan, reservedBySpan;

    public PieceVocabulary(IReadOnlyList<Piece> pieces)
    {
        this.pieces = [.. pieces];
        Array.Fill(byteIds, -1);
        for (int id = 0; id < this.pieces.Length; id++)
        {
            var piece = this.pieces[id];
            bool matchable = piece.Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused;
            (matchable ? this.matchable : reserved)[piece.Text] = id;
            if (piece.Type == PieceType.Unknown) UnknownId = id;
            if (piece.Type == PieceType.Byte) byteIds[SentencePieceModel.ByteOfPiece(piece.Text)] = id;
        }
        foreach (var piece in this.pieces)
        {
            if (piece.Type != PieceType.Normal) continue;
            MinScore = Math.Min(MinScore, piece.Score);
            MaxScore = Math.Max(MaxScore, piece.Score);
        }
        matchableBySpan = matchable.GetAlternateLookup<ReadOnlySpan<char>>();
        reservedBySpan = reserved.GetAlternateLookup<ReadOnlySpan<char>>();
        Trie = new PieceTrie(matchable);
        UserDefined = new PieceTrie(matchable.Where(kv => this.pieces[kv.Value].Type == PieceType.UserDefined));
    }

    public int Count => pieces.Length;
    public int UnknownId { get; }

    /// <summary>Lowest and highest score of a normal piece; start values FLT_MAX and FLT_MIN as in unigram_model.cc.</summary>
    public float MinScore { get; } = float.MaxValue;
    public float MaxScore { get; } = 1.17549435E-38f;

    /// <summary>Every piece an algorithm may produce (normal, user-defined, unused).</summary>
    public PieceTrie Trie { get; }

    /// <summary>The user-defined pieces: kept whole by the normalizer and never merged by BPE.</summary>
    public PieceTrie UserDefined { get; }

    public Piece this[int id] => pieces[id];

    /// <summary>ModelInterface::PieceToId: reserved pieces first, then the others, else the unknown id.</summary>
    public int PieceToId(ReadOnlySpan<char> piece) =>
        reservedBySpan.TryGetValue(piece, out int id) ? id : matchableBySpan.TryGetValue(piece, out id) ? id : UnknownId;

    /// <summary>The id of a piece of any type, or null.</summary>
    public int? Find(string piece) => reserved.TryGetValue(piece, out int id) || matchable.TryGetValue(piece, out id) ? id : null;

    /// <summary>The id of a normal, user-defined or unused piece, or -1.</summary>
    public int MatchableId(ReadOnlySpan<char> piece) => matchableBySpan.TryGetValue(piece, out int id) ? id : -1;

    /// <summary>The id of the piece &lt;0xXX&gt; of a byte.</summary>
    public int ByteId(byte b) => byteIds[b];

    public bool IsType(int id, PieceType type) => id >= 0 && id < pieces.Length && pieces[id].Type == type;
}
