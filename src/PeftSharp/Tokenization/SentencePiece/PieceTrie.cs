namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// A trie over the UTF-16 chars of a set of pieces: walking it char by char from a position of the text yields every
/// piece that starts there, shortest first (what SentencePiece's darts trie gives over UTF-8 bytes; pieces are whole
/// characters, so both find the same pieces).
/// </summary>
internal sealed class PieceTrie
{
    public const int Root = 0;

    private readonly Dictionary<long, int> _edges = [];
    private readonly List<int> _values = [-1];

    /// <summary>The root's children by char: every walk starts there, and a table is faster than hashing.</summary>
    private readonly int[] _rootChildren = new int[char.MaxValue + 1];

    /// <param name="pieces">Piece → value (an id); pieces must be non-empty.</param>
    public PieceTrie(IEnumerable<KeyValuePair<string, int>> pieces)
    {
        Array.Fill(_rootChildren, -1);
        foreach (var (piece, value) in pieces)
        {
            int node = Root;
            foreach (char c in piece)
            {
                long key = Key(node, c);
                if (!_edges.TryGetValue(key, out int next))
                {
                    next = _values.Count;
                    _values.Add(-1);
                    _edges[key] = next;
                    if (node == Root) _rootChildren[c] = next;
                }
                node = next;
            }
            _values[node] = value;
        }
    }

    public bool IsEmpty => _values.Count == 1;

    /// <summary>The node reached from <paramref name="node"/> by <paramref name="c"/>, or -1.</summary>
    public int Next(int node, char c) => node == Root ? _rootChildren[c] : _edges.TryGetValue(Key(node, c), out int next) ? next : -1;

    /// <summary>The value of the piece ending at <paramref name="node"/>, or -1 when no piece ends there.</summary>
    public int ValueAt(int node) => _values[node];

    /// <summary>Length in chars of the longest piece starting at <paramref name="start"/> (0 if none).</summary>
    public int LongestPrefix(string text, int start)
    {
        int node = Root, longest = 0;
        for (int i = start; i < text.Length; i++)
        {
            node = Next(node, text[i]);
            if (node < 0) break;
            if (_values[node] >= 0) longest = i + 1 - start;
        }
        return longest;
    }

    private static long Key(int node, char c) => ((long)node << 16) | c;
}
