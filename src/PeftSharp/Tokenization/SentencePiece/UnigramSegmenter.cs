using System.Text;

namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// SentencePiece's Unigram segmentation (unigram_model.cc, EncodeOptimized): the Viterbi path of highest total score
/// over all pieces of the normalized text. Exactly as the official code: a character no piece covers becomes an
/// unknown node scored min_score − 10; a user-defined piece scores length-in-bytes × max_score − 0.1; a path replaces
/// the best one ending at a position only with a strictly higher score, so among equal scores the candidate found
/// first (the earliest start) wins; scores are accumulated and stored as the same mix of float and double.
/// </summary>
internal sealed class UnigramSegmenter(PieceVocabulary vocabulary) : ISegmenter
{
    private const float UnknownPenalty = 10.0f;

    public void Segment(string normalized, List<Segment> output)
    {
        int size = normalized.Length;
        if (size == 0) return;
        float unknownScore = vocabulary.MinScore - UnknownPenalty;
        var best = new float[size + 1];
        var startsAt = new int[size + 1];
        var ids = new int[size + 1];
        Array.Fill(startsAt, -1);
        var trie = vocabulary.Trie;

        int start = 0;
        while (start < size)
        {
            float tillHere = best[start];
            int characterLength = char.IsHighSurrogate(normalized[start]) && start + 1 < size && char.IsLowSurrogate(normalized[start + 1]) ? 2 : 1;
            bool hasSingleNode = false;
            int node = PieceTrie.Root;
            for (int end = start + 1; end <= size; end++)
            {
                node = trie.Next(node, normalized[end - 1]);
                if (node < 0) break;
                int id = trie.ValueAt(node);
                if (id < 0) continue;
                var piece = vocabulary[id];
                if (piece.Type == PieceType.Unused) continue;
                double score = piece.Type == PieceType.UserDefined
                    ? (double)(Encoding.UTF8.GetByteCount(normalized.AsSpan(start, end - start)) * vocabulary.MaxScore) - 0.1
                    : piece.Score;
                double candidate = score + tillHere;
                if (startsAt[end] == -1 || candidate > best[end])
                {
                    best[end] = (float)candidate;
                    startsAt[end] = start;
                    ids[end] = id;
                }
                if (end - start == characterLength) hasSingleNode = true;
            }
            if (!hasSingleNode)
            {
                int end = start + characterLength;
                float candidate = unknownScore + tillHere;
                if (startsAt[end] == -1 || candidate > best[end])
                {
                    best[end] = candidate;
                    startsAt[end] = start;
                    ids[end] = vocabulary.UnknownId;
                }
            }
            start += characterLength;
        }

        int first = output.Count;
        for (int end = size; end > 0; end = startsAt[end]) output.Add(new Segment(startsAt[end], end - startsAt[end], ids[end]));
        output.Reverse(first, output.Count - first);
    }
}
