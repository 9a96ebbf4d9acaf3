namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// SentencePiece's BPE segmentation (bpe_model.cc): the text is cut into characters (a user-defined piece is one
/// frozen symbol), then, as long as some neighbouring pair forms a piece, the pair whose piece has the highest score
/// is merged — among equal scores the leftmost. An unused piece produced this way is split back into the two symbols
/// it was merged from.
/// </summary>
internal sealed class BpeSegmenter(PieceVocabulary vocabulary) : ISegmenter
{
    private struct Symbol
    {
        public int Prev, Next, Start, Length;
        public bool Frozen;
    }

    private readonly record struct Candidate(int Left, int Right, float Score, int Length);

    /// <summary>std::priority_queue order of bpe_model.cc: higher score first, then the smaller left index.</summary>
    private sealed class CandidateOrder : IComparer<Candidate>
    {
        public static readonly CandidateOrder Instance = new();
        public int Compare(Candidate x, Candidate y) =>
            x.Score > y.Score ? -1 : x.Score < y.Score ? 1 : x.Left.CompareTo(y.Left);
    }

    public void Segment(string normalized, List<Segment> output)
    {
        if (normalized.Length == 0) return;
        var symbols = new List<Symbol>(normalized.Length);
        var user = vocabulary.UserDefined;
        for (int position = 0; position < normalized.Length;)
        {
            int length = user.IsEmpty ? 0 : user.LongestPrefix(normalized, position);
            bool frozen = length > 0;
            if (!frozen) length = char.IsHighSurrogate(normalized[position]) && position + 1 < normalized.Length && char.IsLowSurrogate(normalized[position + 1]) ? 2 : 1;
            int index = symbols.Count;
            position += length;
            symbols.Add(new Symbol { Prev = index - 1, Next = position < normalized.Length ? index + 1 : -1, Start = position - length, Length = length, Frozen = frozen });
        }

        var agenda = new PriorityQueue<Candidate, Candidate>(CandidateOrder.Instance);
        Dictionary<string, (string Left, string Right)>? unusedMerges = null;
        void MaybeAdd(int left, int right)
        {
            if (left < 0 || right < 0 || symbols[left].Frozen || symbols[right].Frozen) return;
            int start = symbols[left].Start, length = symbols[left].Length + symbols[right].Length;
            int id = vocabulary.MatchableId(normalized.AsSpan(start, length));
            if (id < 0) return;
            var candidate = new Candidate(left, right, vocabulary[id].Score, length);
            agenda.Enqueue(candidate, candidate);
            if (vocabulary[id].Type == PieceType.Unused)
                (unusedMerges ??= new(StringComparer.Ordinal))[vocabulary[id].Text] =
                    (normalized.Substring(start, symbols[left].Length), normalized.Substring(symbols[right].Start, symbols[right].Length));
        }

        for (int i = 1; i < symbols.Count; i++) MaybeAdd(i - 1, i);
        while (agenda.TryDequeue(out var top, out _))
        {
            var left = symbols[top.Left];
            var right = symbols[top.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != top.Length) continue;
            left.Length += right.Length;
            left.Next = right.Next;
            if (right.Next >= 0)
            {
                var after = symbols[right.Next];
                after.Prev = top.Left;
                symbols[right.Next] = after;
            }
            right.Length = 0;
            symbols[top.Left] = left;
            symbols[top.Right] = right;
            MaybeAdd(left.Prev, top.Left);
            MaybeAdd(top.Left, left.Next);
        }

        for (int index = 0; index != -1; index = symbols[index].Next)
        {
            var symbol = symbols[index];
            if (unusedMerges is null) output.Add(new Segment(symbol.Start, symbol.Length, vocabulary.PieceToId(normalized.AsSpan(symbol.Start, symbol.Length))));
            else Resegment(normalized.Substring(symbol.Start, symbol.Length), symbol.Start, unusedMerges, output);
        }
    }

    /// <summary>
    /// Emits a symbol at <paramref name="start"/>; an unused piece is replaced by the two symbols it was last seen
    /// merged from (bpe_model.cc keys these by piece text, the last registration winning), recursively.
    /// </summary>
    private void Resegment(string piece, int start, Dictionary<string, (string Left, string Right)>? unusedMerges, List<Segment> output)
    {
        int id = vocabulary.PieceToId(piece);
        if (vocabulary.IsType(id, PieceType.Unused) && unusedMerges is not null && unusedMerges.TryGetValue(piece, out var parts))
        {
            Resegment(parts.Left, start, unusedMerges, output);
            Resegment(parts.Right, start + parts.Left.Length, unusedMerges, output);
            return;
        }
        output.Add(new Segment(start, piece.Length, id));
    }
}
