namespace PeftSharp.Evaluation.Metrics;

/// METEOR 1.5's aligner restricted to its exact and stem modules: every one-word match is
/// collected, matches that are the only candidate for both words are fixed, and a beam search
/// (width 40) over the reference positions picks the alignment with the most matches, then the
/// fewest chunks, then the smallest distance. The search reproduces Meteor's bookkeeping
/// exactly, including two quirks that decide ties: the search weights (exact 1, stem 0.5) are
/// added to integer counters, so stem matches count 0; and a chosen match adds its distance to
/// the path it branched from instead of the new path.
internal static class MeteorAligner
{
    public const int ModuleCount = 2; // exact, stem
    private const int BeamSize = 40;
    private static readonly double[] SearchWeights = [1.0, 0.5];

    // Meteor 1.5's English function-word list (resources/function/english.words).
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "the", ",", ".", "to", "of", "and", "a", "in", "that", "for", "\"", "is", "on", "'s", "it", "with", "was", "as",
        "said", "at", "he", "by", "be", "from", "have", "has", "are", "his", "but", "an", "this", "not", "i", "will",
        "\u2019", "they", ")", "-rrb-", "(", "-lrb-", "who", "their", "had", "we", "which", "were", "been", "more", "or",
        "s", "its", "would", "about", "new", "one", "after", "you", ":", "also", "up", "when", "there", "than", "$",
        "all", "out", "her", "people", "she", "year", "two", "-", "can", "if", "last", "first", "\u201C", "over",
        "other", "\u201D", "into", "some", "what", "so", "--", "no", "time", "years", "could", "?", "'t", "\u2014", "'",
    };

    private sealed record Match(int Start, int MatchStart, int Module); // reference index, test index

    private sealed class Path
    {
        public Match?[] Matches;
        public int Matches1, Matches2, Chunks, Index, LastMatchEnd = -1, Distance;
        public bool[] TestUsed, ReferenceUsed;

        public Path(int testLength, int referenceLength)
        {
            Matches = new Match?[referenceLength];
            TestUsed = new bool[testLength];
            ReferenceUsed = new bool[referenceLength];
        }

        public Path(Path other)
        {
            Matches = (Match?[])other.Matches.Clone();
            TestUsed = (bool[])other.TestUsed.Clone();
            ReferenceUsed = (bool[])other.ReferenceUsed.Clone();
            (Matches1, Matches2, Chunks, Index, LastMatchEnd, Distance) =
                (other.Matches1, other.Matches2, other.Chunks, other.Index, other.LastMatchEnd, other.Distance);
        }

        public void Take(Match m)
        {
            // Java's "int += double" truncates: a stem match (weight 0.5) adds nothing.
            Matches1 = (int)(Matches1 + SearchWeights[m.Module]);
            Matches2 = (int)(Matches2 + SearchWeights[m.Module]);
            if (LastMatchEnd != -1 && m.MatchStart != LastMatchEnd) Chunks++;
            Index = m.Start + 1;
            LastMatchEnd = m.MatchStart + 1;
        }
    }

    // More matches first, then fewer chunks, then smaller distance (Meteor's PARTIAL_COMPARE_TOTAL).
    private static readonly Comparer<Path> Ranking = Comparer<Path>.Create((x, y) =>
    {
        int matchDiff = (y.Matches1 + y.Matches2) - (x.Matches1 + x.Matches2);
        if (matchDiff != 0) return matchDiff > 0 ? 1 : -1;
        if (x.Chunks != y.Chunks) return x.Chunks - y.Chunks;
        return x.Distance - y.Distance;
    });

    public static MeteorStatistics Align(string[] test, string[] reference)
    {
        var candidates = new List<Match>[reference.Length];
        var testCoverage = new int[test.Length];
        var referenceCoverage = new int[reference.Length];
        for (int j = 0; j < reference.Length; j++) candidates[j] = [];

        void Add(int j, int i, int module)
        {
            candidates[j].Add(new Match(j, i, module));
            testCoverage[i]++;
            referenceCoverage[j]++;
        }

        for (int j = 0; j < reference.Length; j++)
            for (int i = 0; i < test.Length; i++)
                if (test[i] == reference[j]) Add(j, i, 0);
        bool identical = test.AsSpan().SequenceEqual(reference);
        if (!identical) // identical sentences need exact matches only
        {
            string[] testStems = test.Select(EnglishStemmer.Stem).ToArray();
            string[] referenceStems = reference.Select(EnglishStemmer.Stem).ToArray();
            for (int j = 0; j < reference.Length; j++)
                for (int i = 0; i < test.Length; i++)
                    if (testStems[i] == referenceStems[j] && test[i] != reference[j]) Add(j, i, 1);
        }

        // A match that is the only candidate of both its words is certain.
        var start = new Path(test.Length, reference.Length);
        for (int j = 0; j < reference.Length; j++)
            if (candidates[j].Count == 1 && referenceCoverage[j] == 1 && testCoverage[candidates[j][0].MatchStart] == 1)
            {
                var m = candidates[j][0];
                start.Matches[j] = m;
                start.ReferenceUsed[j] = true;
                start.TestUsed[m.MatchStart] = true;
            }

        var best = Search(candidates, start);
        return Count(test, reference, best.Matches);
    }

    private static Path Search(List<Match>[] candidates, Path start)
    {
        int length = candidates.Length;
        var next = new List<Path> { start };
        for (int current = 0; current <= length; current++)
        {
            var paths = next.OrderBy(p => p, Ranking).ToList(); // stable, like Java's Collections.sort
            next = [];
            for (int rank = 0; rank < BeamSize && rank < paths.Count; rank++)
            {
                var path = paths[rank];
                if (current == length)
                {
                    if (path.LastMatchEnd != -1) path.Chunks++;
                    next.Add(path);
                    continue;
                }
                if (path.ReferenceUsed[current])
                {
                    if (current < path.Index) next.Add(path);
                    else if (path.Matches[path.Index] is { } fixedMatch)
                    {
                        path.Take(fixedMatch);
                        path.Distance += Math.Abs(fixedMatch.Start - fixedMatch.MatchStart);
                        next.Add(path);
                    }
                    continue;
                }
                foreach (var m in candidates[current])
                {
                    if (path.ReferenceUsed[m.Start] || path.TestUsed[m.MatchStart]) continue;
                    var branch = new Path(path);
                    branch.ReferenceUsed[m.Start] = branch.TestUsed[m.MatchStart] = true;
                    branch.Matches[current] = m;
                    branch.Take(m);
                    path.Distance += Math.Abs(m.Start - m.MatchStart); // sic: Meteor charges the parent
                    next.Add(branch);
                }
                if (path.LastMatchEnd != -1)
                {
                    path.Chunks++;
                    path.LastMatchEnd = -1;
                }
                path.Index++;
                next.Add(path);
            }
            if (next.Count == 0) next.Add(paths[0]);
        }
        return next.OrderBy(p => p, Ranking).First();
    }

    private static MeteorStatistics Count(string[] test, string[] reference, Match?[] matches)
    {
        var result = new MeteorStatistics { TestLength = test.Length, ReferenceLength = reference.Length };
        bool[] testIsFunction = test.Select(w => FunctionWords.Contains(w.ToLowerInvariant())).ToArray();
        bool[] referenceIsFunction = reference.Select(w => FunctionWords.Contains(w.ToLowerInvariant())).ToArray();
        result.TestFunctionWords = testIsFunction.Count(f => f);
        result.ReferenceFunctionWords = referenceIsFunction.Count(f => f);

        int lastMatchEnd = -1;
        foreach (var m in matches)
        {
            if (m is null)
            {
                if (lastMatchEnd != -1) { result.Chunks++; lastMatchEnd = -1; }
                continue;
            }
            (testIsFunction[m.MatchStart] ? result.TestFunction : result.TestContent)[m.Module]++;
            (referenceIsFunction[m.Start] ? result.ReferenceFunction : result.ReferenceContent)[m.Module]++;
            if (lastMatchEnd != -1 && m.MatchStart != lastMatchEnd) result.Chunks++;
            lastMatchEnd = m.MatchStart + 1;
        }
        if (lastMatchEnd != -1) result.Chunks++;
        return result;
    }
}
