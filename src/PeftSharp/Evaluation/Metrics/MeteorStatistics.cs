namespace PeftSharp.Evaluation.Metrics;

/// Sufficient statistics of METEOR for one or more aligned segments (Meteor 1.5's MeteorStats,
/// word based), per matcher module (index 0 exact, 1 stem), with the English "rank" parameters.
internal sealed class MeteorStatistics
{
    private const double Alpha = 0.85, Beta = 0.2, Gamma = 0.6, Delta = 0.75;
    private static readonly double[] ModuleWeights = [1.0, 0.6]; // exact, stem

    public int TestLength, ReferenceLength, TestFunctionWords, ReferenceFunctionWords, Chunks;
    public readonly int[] TestContent = new int[MeteorAligner.ModuleCount];
    public readonly int[] TestFunction = new int[MeteorAligner.ModuleCount];
    public readonly int[] ReferenceContent = new int[MeteorAligner.ModuleCount];
    public readonly int[] ReferenceFunction = new int[MeteorAligner.ModuleCount];

    public int TestMatches => TestContent.Sum() + TestFunction.Sum();
    public int ReferenceMatches => ReferenceContent.Sum() + ReferenceFunction.Sum();

    /// Meteor's addStats: everything sums, except that the single chunk of a segment matched
    /// completely is not counted (its fragmentation is 0 by definition).
    public void Add(MeteorStatistics other)
    {
        TestLength += other.TestLength;
        ReferenceLength += other.ReferenceLength;
        TestFunctionWords += other.TestFunctionWords;
        ReferenceFunctionWords += other.ReferenceFunctionWords;
        for (int m = 0; m < MeteorAligner.ModuleCount; m++)
        {
            TestContent[m] += other.TestContent[m];
            TestFunction[m] += other.TestFunction[m];
            ReferenceContent[m] += other.ReferenceContent[m];
            ReferenceFunction[m] += other.ReferenceFunction[m];
        }
        if (!other.IsCompleteSingleChunk) Chunks += other.Chunks;
    }

    private bool IsCompleteSingleChunk =>
        TestMatches == TestLength && ReferenceMatches == ReferenceLength && Chunks == 1;

    /// P and R weight content words by δ and function words by 1−δ, and each match by its module
    /// weight; Fmean = P·R / (α·P + (1−α)·R); penalty = γ·(chunks / mean matched words)^β;
    /// score = Fmean·(1 − penalty), 0 when undefined (no words or no matches).
    public double Score()
    {
        double testWeightedLength = Delta * (TestLength - TestFunctionWords) + (1.0 - Delta) * TestFunctionWords;
        double referenceWeightedLength = Delta * (ReferenceLength - ReferenceFunctionWords) + (1.0 - Delta) * ReferenceFunctionWords;
        double testWeightedMatches = 0, referenceWeightedMatches = 0;
        for (int m = 0; m < ModuleWeights.Length; m++) testWeightedMatches += TestContent[m] * ModuleWeights[m] * Delta;
        for (int m = 0; m < ModuleWeights.Length; m++) referenceWeightedMatches += ReferenceContent[m] * ModuleWeights[m] * Delta;
        for (int m = 0; m < ModuleWeights.Length; m++) testWeightedMatches += TestFunction[m] * ModuleWeights[m] * (1.0 - Delta);
        for (int m = 0; m < ModuleWeights.Length; m++) referenceWeightedMatches += ReferenceFunction[m] * ModuleWeights[m] * (1.0 - Delta);

        double precision = testWeightedMatches / testWeightedLength;
        double recall = referenceWeightedMatches / referenceWeightedLength;
        double fMean = 1.0 / ((1.0 - Alpha) / precision + Alpha / recall);
        double fragmentation = IsCompleteSingleChunk
            ? 0
            : Chunks / ((double)(TestMatches + ReferenceMatches) / 2);
        double score = fMean * (1.0 - Gamma * Math.Pow(fragmentation, Beta));
        return double.IsNaN(score) ? 0 : Math.Max(score, 0.0);
    }
}
