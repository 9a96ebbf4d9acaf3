namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// A trie over the UTF-16 chars of a set of pieces: walking it char by char from a position of the text yields every
/// piece that starts there, shortest first (what SentencePiece's darts trie gives over UTF-8 bytes; pieces are whole
/// characters, so both find the same pieces). The root's children are a table by char; every other node keeps its
/// children sorted by char in one shared array, found by binary search.
/// </summary>
internal sealed class PieceTrie
{
    public const int Root = 0;

    private readonly int[] rootChildren = new int[char.MaxValue + 1];
    private readonly int[] firstChild, childCount, values;
    private readonly char[] labels;
    private readonly int[] targets;

    /// <param name="pieces">Piece → value (an id); pieces must be non-empty.</param>
    public PieceTrie(IEnumerable<KeyValuePair<string, int>> pieces)
    {
        var children = new List<SortedList<char, int>> { new() };
        var values = new List<int> { -1 };
        foreach (var (piece, value) in pieces)
        {
            int node = Root;
            foreach (char c in piece)
            {
                if (!children[node].TryGetValue(c, out int next))
                {
                    next = values.Count;
                    values.Add(-1);
                    children.Add(new SortedList<char, int>());
                    children[node].Add(c, next);
                }
                node = next;
            }
            values[node] = value;
        }
        this.values = [.. values];
        firstChild = new int[values.Count];
        childCount = new int[values.Count];
        labels = new char[values.Count - 1];
        targets = new int[values.Count - 1];
        int position = 0;
        for (int node = 0; node < children.Count; node++)
        {
            firstChild[node] = position;
            childCount[node] = children[node].Count;
            foreach (var (label, child) in children[node])
            {
                labels[position] = label;
                targets[position++] = child;
            }
        }
        Array.Fill(rootChildren, -1);
        foreach (var (label, child) in children[Root]) rootChildren[label] = child;
    }

    public bool IsEmpty => values.Length == 1;

    /// <summary>The node reached from <paramref name="node"/> by <paramref name="c"/>, or -1.</summary>
    public int Next(int node, char c)
    {
        if (node == Root) return rootChildren[c];
        int low = firstChild[node], high = low + childCount[node] - 1;
        while (low <= high)
        {
            int middle = (low + high) >> 1;
            char label = labels[middle];
            if (label == c) return targets[middle];
            if (label < c) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    /// <summary>The value of the piece ending at <paramref name="node"/>, or -1 when no piece ends there.</summary>
    public int ValueAt(int node) => values[node];

    /// <summary>Length in chars of the longest piece starting at <paramref name="start"/> (0 if none).</summary>
    public int LongestPrefix(string text, int start)
    {
        int node = Root, longest = 0;
        for (int i = start; i < text.Length; i++)
        {
            node = Next(node, text[i]);
            if (node < 0) break;
            if (values[node] >= 0) longest = i + 1 - start;
        }
        return longest;
    }
}
