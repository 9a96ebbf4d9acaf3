using System.Text;
using Microsoft.ML.Tokenizers;

namespace PeftSharp.Tokenization;

/// <summary>
/// Byte-level BPE as used by GPT-2, RoBERTa and LLaMA-3: the text is split by a regex, each piece is UTF-8 encoded and
/// its bytes mapped to GPT-2's byte characters, then merged by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// (lowest merge rank first). Added here, because the library lacks them: code-point-correct regex splitting,
/// HF's <c>add_prefix_space</c>, HF's <c>ignore_merges</c> (LLaMA-3: a piece found whole in the vocabulary is one
/// token) and added-token handling.
/// </summary>
internal sealed class ByteLevelBpeTokenizer : TextTokenizer
{
    private readonly BpeModel model;
    private readonly PreTokenizerRegex? regex;
    private readonly bool addPrefixSpace;
    private readonly bool ignoreMerges;

    public ByteLevelBpeTokenizer(BpeModel model, PreTokenizerRegex? regex, bool addPrefixSpace, bool ignoreMerges, TokenizerSetup setup)
        : base(setup)
    {
        this.model = model;
        this.regex = regex;
        this.addPrefixSpace = addPrefixSpace;
        this.ignoreMerges = ignoreMerges;
    }

    /// <summary>The regex pattern used to split text, or null when the text is not split.</summary>
    public string? Pattern => regex?.Pattern;

    protected override int ModelVocabSize => model.Size;

    protected override void EncodePlain(string text, List<int> ids)
    {
        if (addPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        if (regex is null)
        {
            EncodePiece(text, ids);
            return;
        }
        var pieces = new List<Range>();
        regex.Split(text, pieces);
        foreach (var piece in pieces) EncodePiece(text[piece], ids);
    }

    private void EncodePiece(string piece, List<int> ids)
    {
        string mapped = ByteLevelAlphabet.Encode(piece);
        if (ignoreMerges && model.Vocabulary.TryGetValue(mapped, out int whole))
        {
            ids.Add(whole);
            return;
        }
        ids.AddRange(model.Merger.EncodeToIds(mapped, considerPreTokenization: false, considerNormalization: false));
    }

    protected override string DecodePlain(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (int id in ids)
            if (model.IdToToken(id) is string token) ByteLevelAlphabet.AppendBytes(token, bytes);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    protected override string? ModelIdToToken(int id) => model.IdToToken(id);
    protected override int? ModelTokenToId(string token) => model.Vocabulary.TryGetValue(token, out int id) ? id : null;
}

/// <summary>A BPE vocabulary and merge list, with the Microsoft.ML.Tokenizers object that applies the merges.</summary>
internal sealed class BpeModel
{
    private readonly Dictionary<int, string> tokens;

    /// <param name="vocabulary">Token → id.</param>
    /// <param name="merges">Merges by rank (first = applied first).</param>
    /// <exception cref="InvalidOperationException">A merge names a token missing from the vocabulary, or repeats.</exception>
    public BpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges)
    {
        Vocabulary = vocabulary;
        Merges = merges;
        Size = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
        tokens = new Dictionary<int, string>(vocabulary.Count);
        foreach (var (token, id) in vocabulary) tokens[id] = token;
        try
        {
            Merger = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges.Select(m => m.Left + " " + m.Right),
                PreTokenizer = null,
                Normalizer = null,
            });
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }
    public IReadOnlyList<(string Left, string Right)> Merges { get; }
    public int Size { get; }
    public BpeTokenizer Merger { get; }

    public string? IdToToken(int id) => tokens.TryGetValue(id, out var token) ? token : null;
}
