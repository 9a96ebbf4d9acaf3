// Runs the official METEOR 1.5 code on the cases of make_metric_fixtures.py. Compile against a
// build of github.com/cmu-mtlab/meteor (see build_reference_tools.sh). Modes, reading stdin:
//   stem       one word a line            -> its Snowball English stem
//   normalize  one line of text a line    -> Meteor's English "-norm" normalisation, lower-cased
//   score      "hyp\tref1\tref2..." lines -> per segment "score<TAB>stats", then "CORPUS<TAB>score"
// "score" uses "-l en -norm -m 'exact stem'" (other modules as a second argument, e.g.
// "exact stem synonym") and aggregates the per-segment statistics like the E2E-modified
// pycocoevalcap wrapper (EVAL over all segments).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Properties;

import edu.cmu.meteor.aligner.Stemmer;
import edu.cmu.meteor.scorer.MeteorConfiguration;
import edu.cmu.meteor.scorer.MeteorScorer;
import edu.cmu.meteor.scorer.MeteorStats;
import edu.cmu.meteor.util.Constants;
import edu.cmu.meteor.util.Normalizer;

public class MeteorReference {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String mode = args[0];
        String line;
        if (mode.equals("stem")) {
            Stemmer stemmer = Constants.newStemmer("english");
            while ((line = in.readLine()) != null) out.println(stemmer.stem(line));
        } else if (mode.equals("normalize")) {
            while ((line = in.readLine()) != null)
                out.println(Normalizer.normalizeLine(line, Constants.LANG_EN, true).toLowerCase());
        } else if (mode.equals("score")) {
            Properties props = new Properties();
            props.setProperty("language", "en");
            props.setProperty("norm", "true");
            props.setProperty("modules", args.length > 1 ? args[1] : "exact stem");
            MeteorScorer scorer = new MeteorScorer(new MeteorConfiguration(props));
            MeteorStats total = new MeteorStats();
            while ((line = in.readLine()) != null) {
                String[] parts = line.split("\t", -1);
                ArrayList<String> refs = new ArrayList<String>(Arrays.asList(parts).subList(1, parts.length));
                MeteorStats stats = scorer.getMeteorStats(parts[0], refs);
                out.println(stats.score + "\t" + stats.toString());
                total.addStats(stats);
            }
            scorer.computeMetrics(total);
            out.println("CORPUS\t" + total.score);
        } else {
            throw new IllegalArgumentException("unknown mode " + mode);
        }
    }
}
