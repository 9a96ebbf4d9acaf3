using System.Runtime.InteropServices;

namespace PeftSharp.Tokenization;

/// <summary>Trains a GPT-2-style byte-level BPE tokenizer on a corpus.</summary>
public static class BpeTrainer
{
    /// <summary>
    /// Trains a byte-level BPE tokenizer (GPT-2's pre-tokenizer regex and bytes_to_unicode table; each step merges the
    /// most frequent adjacent pair, ties going to the pair whose left, then right, token is first in ordinal order)
    /// and writes vocab.json, merges.txt ("#version: 0.2" first), tokenizer.json and tokenizer_config.json to
    /// <paramref name="outputDirectory"/> in the format of GPT-2's files, so that <see cref="TokenizerLoader.Load(string)"/>
    /// reads them like GPT-2's. Ids: the 256 byte symbols in GPT-2's order, then one token per merge, then
    /// <paramref name="specialTokens"/> (the first is also bos/eos/unk, as "&lt;|endoftext|&gt;" is for GPT-2).
    /// Fewer merges are learned if the corpus runs out of pairs.
    /// </summary>
    /// <param name="corpus">Training texts (documents or lines; pre-tokenization never crosses text boundaries).</param>
    /// <param name="vocabSize">Total vocabulary size, special tokens included; at least 256 + specialTokens.Count.</param>
    /// <param name="specialTokens">Special tokens such as "&lt;|endoftext|&gt;", appended after the merges.</param>
    /// <param name="outputDirectory">Folder to write to (created if needed); files are written atomically.</param>
    /// <exception cref="PeftSharpException">vocabSize is too small or the special tokens are empty, repeated or clash with byte symbols.</exception>
    public static void Train(IEnumerable<string> corpus, int vocabSize, IReadOnlyList<string> specialTokens, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(specialTokens);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (vocabSize < 256 + specialTokens.Count)
            throw new PeftSharpException($"BPE vocabulary size {vocabSize} is too small: it must hold the 256 byte symbols and {specialTokens.Count} special token(s)");
        var byteSymbols = new HashSet<string>(ByteLevelAlphabet.VocabularyOrder.Select(c => c.ToString()));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var special in specialTokens)
        {
            if (string.IsNullOrEmpty(special)) throw new PeftSharpException("BPE special tokens must be non-empty strings");
            if (!seen.Add(special)) throw new PeftSharpException($"BPE special token \"{special}\" is listed twice");
            if (byteSymbols.Contains(special)) throw new PeftSharpException($"BPE special token \"{special}\" is also a byte symbol");
        }
        var merges = LearnMerges(corpus, vocabSize - 256 - specialTokens.Count);
        BpeFilesWriter.Write(outputDirectory, merges, specialTokens);
    }

    /// <summary>
    /// Learns up to <paramref name="mergeCount"/> merges. Words (pre-tokenized, byte-mapped pieces) are counted once;
    /// pair counts are kept incrementally: a merge only revisits the words that contain its pair.
    /// </summary>
    internal static List<(string Left, string Right)> LearnMerges(IEnumerable<string> corpus, int mergeCount)
    {
        var (words, frequencies) = CountWords(corpus);
        var symbols = new List<string>(ByteLevelAlphabet.VocabularyOrder.Select(c => c.ToString()));
        var symbolOf = Enumerable.Range(0, 256).ToDictionary(i => ByteLevelAlphabet.VocabularyOrder[i], i => i);

        var sequences = new int[words.Count][];
        for (int w = 0; w < words.Count; w++) sequences[w] = words[w].Select(c => symbolOf[c]).ToArray();

        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, List<int>>();
        for (int w = 0; w < sequences.Length; w++)
        {
            var s = sequences[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                long pair = Pair(s[i], s[i + 1]);
                CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _) += frequencies[w];
                (CollectionsMarshal.GetValueRefOrAddDefault(pairWords, pair, out _) ??= []).Add(w);
            }
        }

        var queue = new PriorityQueue<long, (long Count, long Pair)>(new BestPairFirst(symbols));
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, (count, pair));

        var merges = new List<(string, string)>(Math.Max(0, mergeCount));
        var visited = new int[sequences.Length];
        var delta = new Dictionary<long, long>();
        var rebuilt = new List<int>();
        while (merges.Count < mergeCount && queue.TryDequeue(out long best, out var priority))
        {
            if (!pairCounts.TryGetValue(best, out long current) || current != priority.Count || current <= 0) continue; // stale entry
            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF);
            int merged = symbols.Count;
            symbols.Add(symbols[left] + symbols[right]);
            merges.Add((symbols[left], symbols[right]));

            delta.Clear();
            foreach (int w in pairWords[best])
            {
                if (visited[w] == merges.Count) continue;
                visited[w] = merges.Count;
                var s = sequences[w];
                rebuilt.Clear();
                for (int i = 0; i < s.Length; i++)
                {
                    if (i + 1 < s.Length && s[i] == left && s[i + 1] == right) { rebuilt.Add(merged); i++; }
                    else rebuilt.Add(s[i]);
                }
                if (rebuilt.Count == s.Length) continue;
                long f = frequencies[w];
                for (int i = 0; i + 1 < s.Length; i++) CollectionsMarshal.GetValueRefOrAddDefault(delta, Pair(s[i], s[i + 1]), out _) -= f;
                for (int i = 0; i + 1 < rebuilt.Count; i++)
                {
                    long pair = Pair(rebuilt[i], rebuilt[i + 1]);
                    CollectionsMarshal.GetValueRefOrAddDefault(delta, pair, out _) += f;
                    if (rebuilt[i] == merged || rebuilt[i + 1] == merged)
                        (CollectionsMarshal.GetValueRefOrAddDefault(pairWords, pair, out _) ??= []).Add(w);
                }
                sequences[w] = rebuilt.ToArray();
            }
            foreach (var (pair, change) in delta)
            {
                if (change == 0) continue;
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _);
                count += change;
                if (count > 0) queue.Enqueue(pair, (count, pair));
                else pairCounts.Remove(pair);
            }
            pairCounts.Remove(best);
            pairWords.Remove(best);
        }
        return merges;
    }

    /// <summary>Unique byte-mapped pre-tokenized words with their frequencies, in order of first appearance.</summary>
    private static (List<string> Words, List<long> Frequencies) CountWords(IEnumerable<string> corpus)
    {
        var regex = new PreTokenizerRegex(PreTokenizerRegex.Gpt2Pattern);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<string>();
        var frequencies = new List<long>();
        var pieces = new List<System.Range>();
        foreach (var text in corpus)
        {
            if (text is null) throw new PeftSharpException("BPE training corpus contains a null text");
            pieces.Clear();
            regex.Split(text, pieces);
            foreach (var piece in pieces)
            {
                string word = ByteLevelAlphabet.Encode(text.AsSpan()[piece]);
                ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, word, out bool exists);
                if (!exists)
                {
                    slot = words.Count;
                    words.Add(word);
                    frequencies.Add(0);
                }
                frequencies[slot]++;
            }
        }
        return (words, frequencies);
    }

    private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Highest count first; ties: left token, then right token, in ordinal order.</summary>
    private sealed class BestPairFirst(List<string> symbols) : IComparer<(long Count, long Pair)>
    {
        public int Compare((long Count, long Pair) x, (long Count, long Pair) y)
        {
            if (x.Count != y.Count) return y.Count.CompareTo(x.Count);
            int byLeft = string.CompareOrdinal(symbols[(int)(x.Pair >> 32)], symbols[(int)(y.Pair >> 32)]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(symbols[(int)(x.Pair & 0xFFFFFFFF)], symbols[(int)(y.Pair & 0xFFFFFFFF)]);
        }
    }
}
