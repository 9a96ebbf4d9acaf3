using static TorchSharp.torch;

namespace PeftSharp.Tuners.RankAllocation;

/// <summary>Which axis of a scored parameter indexes the triplet i.</summary>
internal enum TripletAxis
{
    /// <summary>A vector whose entry i belongs to triplet i (λ).</summary>
    Element,
    /// <summary>Row i belongs to triplet i; its score is the mean over the row.</summary>
    Row,
    /// <summary>Column i belongs to triplet i; its score is the mean over the column.</summary>
    Column,
}

/// <summary>
/// An adapter with r prunable triplets (AdaLoRA, LoRA²). The importance strategy, the only thing that differs
/// between the two methods in the allocator, is the set of <see cref="ScoredParameters"/>.
/// </summary>
internal interface IRankAdaptive
{
    /// <summary>λ, the r singular values (shape (r) or (r, 1)).</summary>
    Tensor Lambda { get; }
    /// <summary>Current number of triplets (length of λ).</summary>
    int Rank { get; }
    /// <summary>The parameters whose sensitivity enters the importance of each triplet, with the axis that indexes it.</summary>
    IEnumerable<(string Name, Tensor Parameter, TripletAxis Axis)> ScoredParameters { get; }
    /// <summary>The kept triplets after the last masking (all true before any).</summary>
    bool[] Mask { get; set; }
    /// <summary>The kept triplets in the initial-rank index space, as saved in rank_pattern (length init_r).</summary>
    bool[] SavedPattern { get; }
    /// <summary>The matrices the orthogonal regulariser pushes to orthonormality along their smaller dimension.</summary>
    IEnumerable<Tensor> OrthogonalMatrices();
}
