namespace PeftSharp.Tokenization;

/// <summary>
/// Where special tokens go around one sequence (A) or a pair (A, B), with the token type of each part: HF's
/// post-processor (TemplateProcessing, BertProcessing, RobertaProcessing) in data form.
/// </summary>
internal sealed class SpecialTokenTemplate
{
    /// <summary>One part of a template: a fixed list of special ids, or sequence 0 (A) / 1 (B).</summary>
    internal readonly record struct Piece(int[]? SpecialIds, int Sequence, int TypeId)
    {
        public static Piece Special(int id, int typeId = 0) => new([id], -1, typeId);
        public static Piece Specials(int[] ids, int typeId) => new(ids, -1, typeId);
        public static Piece A(int typeId = 0) => new(null, 0, typeId);
        public static Piece B(int typeId = 1) => new(null, 1, typeId);
    }

    public SpecialTokenTemplate(IReadOnlyList<Piece> single, IReadOnlyList<Piece> pair)
    {
        Single = single;
        Pair = pair;
    }

    public IReadOnlyList<Piece> Single { get; }
    public IReadOnlyList<Piece> Pair { get; }

    /// <summary>No special tokens; in a pair, B has type 1 (GPT-2).</summary>
    public static SpecialTokenTemplate None { get; } = new([Piece.A()], [Piece.A(), Piece.B()]);

    /// <summary>BERT / DeBERTa: [CLS] A [SEP] and [CLS] A [SEP] B [SEP], B and its [SEP] with type 1.</summary>
    public static SpecialTokenTemplate Bert(int cls, int sep) => new(
        [Piece.Special(cls), Piece.A(), Piece.Special(sep)],
        [Piece.Special(cls), Piece.A(), Piece.Special(sep), Piece.B(), Piece.Special(sep, 1)]);

    /// <summary>RoBERTa: &lt;s&gt; A &lt;/s&gt; and &lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;, all type 0.</summary>
    public static SpecialTokenTemplate Roberta(int cls, int sep) => new(
        [Piece.Special(cls), Piece.A(), Piece.Special(sep)],
        [Piece.Special(cls), Piece.A(), Piece.Special(sep), Piece.Special(sep), Piece.B(0), Piece.Special(sep)]);

    /// <summary>LLaMA (HF LlamaTokenizer): BOS? A EOS? and BOS? A EOS? BOS? B EOS?, the second part with type 1.</summary>
    public static SpecialTokenTemplate BosEos(int? bos, int? eos)
    {
        List<Piece> Part(Piece sequence, int type)
        {
            var part = new List<Piece>();
            if (bos is int b) part.Add(Piece.Special(b, type));
            part.Add(sequence);
            if (eos is int e) part.Add(Piece.Special(e, type));
            return part;
        }
        return new(Part(Piece.A(), 0), [.. Part(Piece.A(), 0), .. Part(Piece.B(), 1)]);
    }

    /// <summary>Number of special ids the template adds.</summary>
    public int SpecialCount(bool pair) => (pair ? Pair : Single).Sum(p => p.SpecialIds?.Length ?? 0);

    /// <summary>Fills in the template.</summary>
    public EncodedPair Apply(IReadOnlyList<int> a, IReadOnlyList<int>? b)
    {
        var ids = new List<int>(a.Count + (b?.Count ?? 0) + 8);
        var types = new List<int>(ids.Capacity);
        foreach (var piece in b is null ? Single : Pair)
        {
            IReadOnlyList<int> part = piece.SpecialIds ?? (piece.Sequence == 0 ? a : b!);
            ids.AddRange(part);
            for (int i = 0; i < part.Count; i++) types.Add(piece.TypeId);
        }
        return new EncodedPair(ids, types);
    }
}
