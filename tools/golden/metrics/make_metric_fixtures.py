#!/usr/bin/python3
"""Expected values for the PeftSharp metrics tests (tests/PeftSharp.Tests/fixtures/metrics/).

Every expected value comes from an implementation independent of the C# code:
  * Accuracy, F1, MCC: scikit-learn; Pearson, Spearman: SciPy (Debian python3-sklearn, python3-scipy).
  * BLEU, NIST: the E2E challenge's own mteval-v13a-sig.pl (Perl), run on SGML files laid out as
    measure_scores.py lays them out; only its printf format is widened to 15 significant digits.
  * PTB tokens: Stanford CoreNLP 3.4.1's PTBTokenizer (-preserveLines -lowerCase), followed by
    pycocoevalcap's punctuation filter (restated below).
  * METEOR, the Snowball stems and Meteor's normaliser: METEOR 1.5's Java code, with the exact and stem
    modules only, driven through a small harness (modes stem / normalize / score, described in
    run_meteor() below).
  * ROUGE-L and CIDEr-D: the plain-Python re-statements below of pycocoevalcap's rouge.py and
    cider_scorer.py, fed with the real PTB tokens.

The committed fixtures were produced once with the official tools, which this repository does not ship or
build (they are third-party code: obtain and build them yourself from stanfordnlp/CoreNLP v3.4.1,
cmu-mtlab/meteor 1.5 and tuetschek/e2e-metrics, and lay them out in TOOLS_DIR as the functions below
expect). Then:
    /usr/bin/python3 make_metric_fixtures.py TOOLS_DIR
Run from anywhere; writes the JSON files next to the tests. Deterministic (fixed seeds).
"""
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "tests", "PeftSharp.Tests", "fixtures", "metrics"))

# ---------------------------------------------------------------- classification and regression


def classification_cases():
    rng = random.Random(5)
    cases = [
        ("hand_binary", [1, 0, 1, 1, 0, 1, 0, 0], [1, 1, 1, 0, 0, 1, 0, 1]),
        ("all_correct", [0, 1, 1, 0], [0, 1, 1, 0]),
        ("all_wrong", [1, 0, 0, 1], [0, 1, 1, 0]),
        ("three_classes_mnli", [0, 1, 2, 2, 1, 0, 2, 1, 0, 0], [0, 1, 2, 1, 1, 2, 2, 0, 0, 1]),
    ]
    for n in (7, 50, 400):
        labels = [rng.randint(0, 1) for _ in range(n)]
        predictions = [label if rng.random() < 0.7 else 1 - label for label in labels]
        cases.append((f"random_binary_{n}", predictions, labels))
    for n in (30, 300):
        labels = [rng.randint(0, 2) for _ in range(n)]
        predictions = [label if rng.random() < 0.6 else rng.randint(0, 2) for label in labels]
        cases.append((f"random_three_classes_{n}", predictions, labels))
    out = []
    for name, predictions, labels in cases:
        binary = set(predictions) | set(labels) <= {0, 1}
        out.append({
            "name": name, "predictions": predictions, "labels": labels,
            "accuracy": accuracy_score(labels, predictions),
            "f1": f1_score(labels, predictions) if binary else None,
            "matthews_correlation": matthews_corrcoef(labels, predictions),
        })
    return out


def regression_cases():
    rng = np.random.default_rng(5)
    cases = [
        ("hand_small", [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0]),
        ("ties", [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 5.0], [0.5, 0.5, 1.0, 4.0, 2.0, 2.0, 3.0]),
        ("negative", [0.0, 1.0, 2.0, 3.0], [3.0, 2.5, 1.0, -4.0]),
    ]
    for n in (10, 200):
        x = rng.uniform(0, 5, n)
        y = np.clip(x + rng.normal(0, 1.0, n), 0, 5)
        cases.append((f"random_{n}", x.tolist(), y.tolist()))
    gold = rng.integers(0, 6, 60).astype(float)  # STS-B-like scores with many ties
    cases.append(("random_ties_60", (gold + rng.normal(0, 1.5, 60)).round(1).tolist(), gold.tolist()))
    return [{"name": n, "x": x, "y": y,
             "pearson": float(scipy.stats.pearsonr(x, y)[0]),
             "spearman": float(scipy.stats.spearmanr(x, y)[0])} for n, x, y in cases]


# ---------------------------------------------------------------- E2E corpora (written for these tests)

E2E_LIKE = [
    ("Blue Spice is a family-friendly coffee shop in the city centre. It has a price range of £20-25.",
     ["Blue Spice is a family-friendly coffee shop in the city centre with a price range of £20-25.",
      "In the city centre, there is a coffee shop called Blue Spice. It is kid friendly and costs £20-25.",
      "Blue Spice, a coffee shop located in the centre of the city, is family friendly; prices are £20-25."]),
    ("The Vaults is a pub near Café Adriatic in the riverside area. It is not family-friendly and has a high price range.",
     ["The Vaults is a high-priced pub near Café Adriatic by the riverside. It isn't family-friendly.",
      "Near Café Adriatic on the riverside is The Vaults, an expensive adults-only pub."]),
    ("Aromi is a coffee shop providing Chinese food in the riverside area. Its customer rating is 5 out of 5.",
     ["Aromi is a coffee shop that serves Chinese food. It's located by the riverside and is rated 5 out of 5.",
      "The Aromi coffee shop, serving Chinese food, has a customer rating of 5 out of 5 and is in the riverside area.",
      "Aromi's Chinese food earned a 5 out of 5 rating from customers; the coffee shop sits on the riverside.",
      "By the riverside you'll find Aromi, a coffee shop with Chinese cuisine rated 5 out of 5."]),
    ("Strada is an Italian restaurant near Rainbow Vegetarian Café with a price range of less than £20 and a low customer rating.",
     ["Strada is a cheap Italian restaurant near Rainbow Vegetarian Café, but customers rate it only 1 out of 5.",
      "Near Rainbow Vegetarian Café, Strada serves Italian food at low prices (less than £20); its rating is 1 out of 5."]),
    ("The Wrestlers is a Japanese restaurant with a price range of more than £30. It is not kid friendly.",
     ["The Wrestlers' Japanese food costs more than £30 and children aren't welcome.",
      "The Wrestlers serves Japanese food for more than £30. It is not child-friendly.",
      "For more than £30 you can eat Japanese food at The Wrestlers, which doesn't welcome kids."]),
    ("Zizzi is a pub that serves English food. It has a moderate price range and a customer rating of 3 out of 5.",
     ["Zizzi is a moderately-priced pub serving English food. Customers rate it 3 out of 5.",
      "With a rating of 3 out of 5, Zizzi is an English pub with moderate prices."]),
    ("Loch Fyne is a seafood restaurant in the riverside area near The Rice Boat.",
     ["Loch Fyne is a seafood restaurant near The Rice Boat by the river.",
      "Near The Rice Boat on the riverside, Loch Fyne serves fish and seafood.",
      "Loch Fyne, a restaurant offering seafood, can be found near The Rice Boat in the riverside area."]),
    ("Fitzbillies is a coffee shop that offers fast food in the city centre. It is kid friendly and has a high customer rating.",
     ["Fitzbillies is a kid-friendly coffee shop in the city centre. It offers fast food and has a high customer rating.",
      "Fitzbillies' fast food coffee shop in the city centre is highly rated and welcomes children."]),
    ("Cotto is a coffee shop near The Portland Arms. It serves Indian food and has an average rating.",
     ["Cotto is an Indian coffee shop near The Portland Arms with an average customer rating."]),
    ("The Eagle is a Japanese pub.",
     ["The Eagle is a pub that serves Japanese food.", "Japanese food is served at The Eagle pub.",
      "The Eagle, a Japanese pub."]),
]

EDGE_CASES = [
    ("", ["There is a pub called The Eagle.", "The Eagle is a pub."]),  # empty hypothesis
    ("The Eagle is a pub and a pub and a restaurant and a coffee shop in the city centre near the river with cheap food.",
     ["The Eagle is a pub."]),  # much longer than its single reference
    ("the the the the the pub pub", ["the pub is the best pub"]),  # repeated n-grams are clipped
    ("Café Sicilia serves naïve Straße food in école style.",
     ["Café Sicilia serves Straße food.", "ÉCOLE Café Sicilia is naïve."]),  # mteval folds ASCII only
    ("The Rice Boat is a cheap restaurant.", ["The Rice Boat is a cheap restaurant."]),  # identical
    ("It is rated 0 out of 5 stars.", ["It has a rating of 0 out of 5.", "Rated 0 out of 5 stars."]),  # Perl's "0" prefix
    ("Fish&amp;Chips\u00a0is near the river", ["Fish & Chips is near the river."]),  # entity, no-break space
    ("The Punter is a pub.", ["The Punter is a pub.", "", "A pub called The Punter."]),  # empty second reference
    ("Clowns is a pub by the riverside.",
     ["Clowns is a pub.", "Clowns is by the riverside.", "The pub Clowns is by the river.", "A riverside pub: Clowns.",
      "Clowns, a pub on the riverside.", "Clowns pub, riverside.", "There is a pub, Clowns, by the riverside.",
      "Clowns is located on the riverside.", "Clowns is a riverside pub.", "Riverside pub Clowns.",
      "Clowns is a pub near the river."]),  # eleven references (reference sets ref_0 .. ref_10)
    ('The "Golden Curry" (Indian) is a 5-star place; 1,000 people rate it 3.5!',
     ["The Golden Curry is an Indian place rated 3.5 by 1,000 people.", "Golden Curry: Indian, 5-star."]),
    ("The restaurants serves rated foods and is family-friendly.",
     ["The restaurant served ratings food and is family friendly."]),  # stem matches, dash removal
    ("Near the river, The Mill's pub isn't cheap, it's £30-£40 -- and it doesn't open late.",
     ["The Mill is a pub near the river that costs £30-£40.", "The Mill's prices aren't low."]),
]

FIRST_REFERENCE_EMPTY = [
    ("The Cambridge Blue is a pub.", ["", "The Cambridge Blue is a pub near the river.", "A pub."]),
    ("Midsummer House is a restaurant.", ["Midsummer House is a restaurant.", "Midsummer House serves food."]),
]

SINGLE_SEGMENT = [
    ("The Phoenix is a restaurant by the riverside.", ["The Phoenix is a riverside restaurant.", "The Phoenix, by the river."]),
]

def perturbed_corpus(segments, count=80, seed=5):
    """Hypotheses made by shuffling, dropping, repeating and inflecting words of a reference: many
    ambiguous alignments (repeated function words, stem-only matches) for METEOR's beam search."""
    rng = random.Random(seed)
    inflect = {"serves": "served", "rated": "rating", "restaurant": "restaurants", "shop": "shops",
               "located": "locate", "offers": "offering", "prices": "priced", "children": "child"}
    out = []
    for _ in range(count):
        _, refs = rng.choice(segments)
        words = rng.choice(refs).split()
        words = [inflect.get(w, w) if rng.random() < 0.3 else w for w in words]
        for _ in range(rng.randint(0, 3)):
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words) + 1), rng.choice(["the", "a", "is", "and", "the the", "of"]))
        if rng.random() < 0.3 and len(words) > 3:
            del words[rng.randrange(len(words))]
        out.append((" ".join(words), rng.sample(refs, rng.randint(1, len(refs)))))
    return out


def tiny_vocabulary_corpus(count=300, seed=7):
    """Short sentences over a dozen words with shared stems: stresses alignment ties."""
    rng = random.Random(seed)
    vocabulary = "the a cat cats sat sit sitting on mat mats rated rating rate".split()
    sentence = lambda: " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 9)))
    return [(sentence(), [sentence() for _ in range(rng.randint(1, 3))]) for _ in range(count)]


CORPORA = [("e2e_like", E2E_LIKE), ("edge_cases", EDGE_CASES), ("first_reference_empty", FIRST_REFERENCE_EMPTY),
           ("single_segment", SINGLE_SEGMENT), ("perturbed", perturbed_corpus(E2E_LIKE)),
           ("tiny_vocabulary", tiny_vocabulary_corpus())]

# Extra sentences for the tokenizer comparison: constructs CocoTokenizer claims to reproduce.
TOKENIZER_EXTRAS = [
    "I cannot go. She won't, they'd've gone. We're here; you'll see: it's OK!",
    "Prices are less than £20 or more than £30 ($40, €50, 20£).",
    "It is kid friendly/family-friendly... really?! \"Yes\" he said 'no'.",
    "Café Rouge, Zizzi & Loch Fyne -- near the riverside (city centre).",
    "3.5 stars, 1,000 people, 1/2 price, 2nd floor, 90s, '90s.",
    "A.B.C. Inc. is in the U.K. Dr. Who lives here",
    "Don't DON'T o'clock ma'am Fitzbillies' coffee",
    "well-known, non-family-friendly, 5-star. x--y a - b a -- b",
    "[brackets] {braces} a*b a=b a%b a^b a~b a|b",
    "\u201ccurly quotes\u201d \u2018single\u2019 \u2013 en dash \u2014 em dash \u2026 ellipsis",
    "naïve résumé Straße ÉCOLE ΑΒΓ",
    "tab\tseparated  double  space",
    "Rated 5. It costs £20-£25 or 20-25£ or £ 20 - 25.",
    "It is in the centre.It serves food,near the river.Try it",
    "Strada's 5-star high-priced mid-range food is 5/5 and 1 star.",
    "The Wrestlers' pub isn't 'family friendly'. They'll rate it 3/5.",
    "Mr. Smith met Ms. Jones at 5 p.m. on Jan. 5th, ok.",
    "He said: \"It's great.\" Then left...",
    "I'm sure you've seen it. Who'd've thought?",
    "a.m. p.m. e.g. i.e. etc. vs. St. Mt.",
    "It is 100% good & cheap.",
    "can't shan't ain't gonna wanna gotta lemme",
    "Cotto's an Italian place; it's 'cheap'.",
    "It\u2019s Strada\u2019s. Rated 3\u00a0out of 5.",
    "x.y z. 3 ... ? . !!",
    "AT&T Q&A B&Q M&S Tom&Jerry at&t &apos;s 5&6 R&amp;D fish&amp;chips",
    "Use &lt;b&gt; for &quot;bold&quot; text",
    "It is 20\u00b0C \u00b1 2 \u00a9 2020 x\u2122 3\u00d72 a\u00f7b \u00a7 5 a\u2192b",
]

# ---------------------------------------------------------------- running the official tools


def ptb_tokenize(tools, sentences):
    """Stanford PTBTokenizer exactly as pycocoevalcap runs it, then pycocoevalcap's filter."""
    punctuations = ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
                    ".", "?", "!", ",", ":", "-", "--", "...", ";"]
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("\n".join(s.replace("\n", " ") for s in sentences))
        path = f.name
    try:
        output = subprocess.run(
            ["java", "-cp", os.path.join(tools, "corenlp", "classes"), "edu.stanford.nlp.process.PTBTokenizer",
             "-preserveLines", "-lowerCase", path],
            check=True, capture_output=True, encoding="utf-8").stdout
    finally:
        os.remove(path)
    lines = output.split("\n")
    # pycocoevalcap keeps the joined string; an empty line would give [""] here, the string "" there.
    return [[w for w in line.rstrip().split(" ") if w not in punctuations and w != ""] for line in lines[:len(sentences)]]


def run_meteor(tools, mode, lines, *options):
    # The harness class reads stdin and runs METEOR 1.5 per mode: "stem" (word -> Snowball stem), "normalize"
    # (line -> "-norm" text, lower-cased), "score" ("hyp\tref..." -> per-segment stats, then corpus score).
    output = subprocess.run(["java", "-cp", os.path.join(tools, "meteor", "classes"), "MeteorReference", mode, *options],
                            input="\n".join(lines) + "\n", check=True, capture_output=True, encoding="utf-8").stdout
    return output.rstrip("\n").split("\n")


def mteval_bleu_nist(tools, hypotheses, references):
    """Runs mteval-v13a-sig.pl like measure_scores.py's run_mteval, with a wider number format."""
    script = open(os.path.join(tools, "mteval-v13a-sig.pl"), encoding="utf-8").read()
    script = script.replace('printf "NIST score = %2.4f  BLEU score = %.4f', 'printf "NIST score = %.15g  BLEU score = %.15g')
    with tempfile.TemporaryDirectory(prefix="e2e-mteval-") as tmp:
        with open(os.path.join(tmp, "mteval.pl"), "w", encoding="utf-8") as f:
            f.write(script)
        width = max(len(refs) for refs in references)
        ref_sets = [[refs[k] if k < len(refs) else "" for refs in references] for k in range(width)]
        write_sgm(os.path.join(tmp, "ref.sgm"), "ref", ref_sets)
        write_sgm(os.path.join(tmp, "tst.sgm"), "tst", [hypotheses])
        write_sgm(os.path.join(tmp, "src.sgm"), "src", [[""] * len(hypotheses)])
        output = subprocess.run(["perl", os.path.join(tmp, "mteval.pl"), "-r", os.path.join(tmp, "ref.sgm"),
                                 "-s", os.path.join(tmp, "src.sgm"), "-t", os.path.join(tmp, "tst.sgm"),
                                 "-f", os.path.join(tmp, "log.txt")],
                                check=True, capture_output=True, encoding="utf-8", env=PERL_ENV).stdout
    match = re.search(r"NIST score = (\S+)  BLEU score = (\S+)", output)
    return float(match.group(2)), float(match.group(1))


# Perl sums n-gram information in hash order; a fixed hash seed makes the last digit reproducible.
PERL_ENV = dict(os.environ, PERL_HASH_SEED="0", PERL_PERTURB_KEYS="0")


def mteval_tokenize(tools, sentences):
    """mteval's normalised segments, as its detail level 3 prints them."""
    with tempfile.TemporaryDirectory(prefix="e2e-mteval-") as tmp:
        for kind in ("ref", "tst", "src"):
            write_sgm(os.path.join(tmp, kind + ".sgm"), kind, [sentences if kind != "src" else [""] * len(sentences)])
        output = subprocess.run(["perl", os.path.join(tools, "mteval-v13a-sig.pl"), "-b", "-d", "3",
                                 "-r", os.path.join(tmp, "ref.sgm"), "-s", os.path.join(tmp, "src.sgm"),
                                 "-t", os.path.join(tmp, "tst.sgm"), "-f", os.path.join(tmp, "log.txt")],
                                check=True, capture_output=True, encoding="utf-8", env=PERL_ENV).stdout
    segments = dict(re.findall(r"^sys 'tst', seg (\d+): (.*)$", output, re.M))
    # split(" "), not split(): a no-break space surviving in a token must show up as a difference.
    return [[t for t in segments[str(i)].split(" ") if t] for i in range(1, len(sentences) + 1)]


def write_sgm(path, kind, sets):
    """One <doc> per reference set, segments numbered from 1, text not escaped (as measure_scores.py)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'<{kind}set setid="e2e" srclang="any" trglang="en">\n')
        for number, segments in enumerate(sets):
            sysid = kind if len(sets) == 1 else f"{kind}_{number}"
            f.write(f'<doc docid="test" genre="news" origlang="any" sysid="{sysid}">\n<p>\n')
            for seg_id, text in enumerate(segments, start=1):
                f.write(f'<seg id="{seg_id}">{text}</seg>\n')
            f.write("</p>\n</doc>\n")
        f.write(f"</{kind}set>")


# ---------------------------------------------------------------- ROUGE-L and CIDEr-D (pycocoevalcap definitions)


def lcs_length(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = table[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(table[i - 1][j], table[i][j - 1])
    return table[len(a)][len(b)]


def rouge_l_segment(hypothesis, references, beta=1.2):
    candidate = " ".join(hypothesis).split(" ")  # split(" "): an empty text is one empty token
    precisions, recalls = [], []
    for reference in references:
        tokens = " ".join(reference).split(" ")
        lcs = lcs_length(tokens, candidate)
        precisions.append(lcs / len(candidate))
        recalls.append(lcs / len(tokens))
    p, r = max(precisions), max(recalls)
    return (1 + beta ** 2) * p * r / (r + beta ** 2 * p) if p != 0 and r != 0 else 0.0


def ngram_counts(tokens, n_max=4):
    counts = defaultdict(int)
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i:i + n])] += 1
    return counts


def cider_segments(hypotheses, references, n_max=4, sigma=6.0):
    document_frequency = defaultdict(int)
    for refs in references:
        for ngram in {g for ref in refs for g in ngram_counts(ref, n_max)}:
            document_frequency[ngram] += 1
    log_segments = math.log(len(references))

    def vector(tokens):
        weights = [dict() for _ in range(n_max)]
        norms = [0.0] * n_max
        bigrams = 0
        for ngram, tf in ngram_counts(tokens, n_max).items():
            n = len(ngram) - 1
            weights[n][ngram] = tf * (log_segments - math.log(max(1.0, document_frequency[ngram])))
            norms[n] += weights[n][ngram] ** 2
            if n == 1:
                bigrams += tf  # pycocoevalcap's "length" counts bigrams
        return weights, [math.sqrt(v) for v in norms], bigrams

    scores = []
    for hypothesis, refs in zip(hypotheses, references):
        vh, nh, lh = vector(hypothesis)
        total = [0.0] * n_max
        for ref in refs:
            vr, nr, lr = vector(ref)
            penalty = math.exp(-((lh - lr) ** 2) / (2 * sigma ** 2))
            for n in range(n_max):
                value = sum(min(w, vr[n].get(g, 0.0)) * vr[n].get(g, 0.0) for g, w in vh[n].items())
                if nh[n] != 0 and nr[n] != 0:
                    value /= nh[n] * nr[n]
                total[n] += value * penalty
        scores.append(sum(total) / n_max / len(refs) * 10.0)
    return scores


# ---------------------------------------------------------------- assembling the fixtures


def e2e_corpus(tools, name, segments):
    hypotheses = [h for h, _ in segments]
    references = [refs for _, refs in segments]
    flat = hypotheses + [r for refs in references for r in refs]
    tokens = ptb_tokenize(tools, flat)
    hyp_tokens = tokens[:len(hypotheses)]
    ref_tokens, k = [], len(hypotheses)
    for refs in references:
        ref_tokens.append(tokens[k:k + len(refs)])
        k += len(refs)
    meteor_input = ["\t".join([" ".join(h)] + [" ".join(r) for r in refs]) for h, refs in zip(hyp_tokens, ref_tokens)]
    meteor_lines = run_meteor(tools, "score", meteor_input)
    # For METRICS.md only: what the WordNet synonym module (left out in PeftSharp) would add.
    with_synonyms = float(run_meteor(tools, "score", meteor_input, "exact stem synonym")[-1].split("\t")[1])
    bleu, nist = mteval_bleu_nist(tools, hypotheses, references)
    rouge = [rouge_l_segment(h, refs) for h, refs in zip(hyp_tokens, ref_tokens)]
    cider = cider_segments(hyp_tokens, ref_tokens)
    return {
        "name": name, "hypotheses": hypotheses, "references": references,
        "bleu": bleu, "nist": nist,
        "meteor": float(meteor_lines[-1].split("\t")[1]),
        "meteor_segments": [float(line.split("\t")[0]) for line in meteor_lines[:-1]],
        "meteor_with_synonym_module": with_synonyms,
        "rouge_l": sum(rouge) / len(rouge), "rouge_l_segments": rouge,
        "cider": sum(cider) / len(cider), "cider_segments": cider,
    }, flat, hyp_tokens + [r for refs in ref_tokens for r in refs]


def stem_vocabulary(tools, corpus_tokens):
    words = {w for tokens in corpus_tokens for w in tokens if w.isalpha()}
    words |= set("""caresses ponies ties cries gas gaps kiwis this sses agreed feed feedly bled hoping hopping
        hoped luxuriated filing sizing tanned falling hissing fizzed failing filing cry by say happy skis skies
        dying lying tying idly gently ugly early only singly sky news howe atlas cosmos bias andes inning innings
        outing outings canning herring earring proceed proceeding exceed succeed generous generously general
        communism communication arsenal arsenic relational conditional rational valenci hesitanci digitizer
        conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism
        decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize
        electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable
        defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti
        homologous effective bowdlerize probate rate cease controll roll fluently apology anthology geology
        yellow ayy yes youth sayings enjoying flying play played player players""".split())
    exceptions = os.path.join(tools, "meteor", "resources", "synonym", "english.exceptions")
    if os.path.exists(exceptions):  # inflected forms from WordNet's exception lists, sampled
        forms = sorted({w for line in open(exceptions, encoding="utf-8") for w in line.split() if w.isalpha()})
        words |= set(random.Random(5).sample(forms, min(1500, len(forms))))
    words = sorted(w for w in words if w == w.lower())
    return dict(zip(words, run_meteor(tools, "stem", words)))


def main():
    tools = sys.argv[1] if len(sys.argv) > 1 else "/tmp/metrics-tools"
    os.makedirs(FIXTURES, exist_ok=True)
    provenance = {
        "generator": "tools/golden/metrics/make_metric_fixtures.py",
        "scikit_learn": sklearn.__version__, "scipy": scipy.__version__,
        "ptb_tokenizer": "Stanford CoreNLP 3.4.1 PTBTokenizer -preserveLines -lowerCase",
        "meteor": "METEOR 1.5 (cmu-mtlab/meteor), -l en -norm -m 'exact stem'",
        "mteval": "e2e-metrics mteval/mteval-v13a-sig.pl",
    }

    write("classification.json", {"provenance": provenance, "classification": classification_cases(),
                                  "regression": regression_cases()})

    corpora, sentences, tokens = [], [], []
    for name, segments in CORPORA:
        corpus, flat, flat_tokens = e2e_corpus(tools, name, segments)
        corpora.append(corpus)
        sentences += flat
        tokens += flat_tokens
    write("e2e.json", {"provenance": provenance, "corpora": corpora})

    extra_tokens = ptb_tokenize(tools, TOKENIZER_EXTRAS)
    sentences += TOKENIZER_EXTRAS
    tokens += extra_tokens
    seen, coco = set(), []
    for sentence, toks in zip(sentences, tokens):
        if sentence not in seen:
            seen.add(sentence)
            coco.append({"text": sentence, "tokens": toks})
    normalized = run_meteor(tools, "normalize", [" ".join(c["tokens"]) for c in coco])
    write("tokenizers.json", {
        "provenance": provenance,
        "coco": coco,
        "meteor_normalizer": [{"text": " ".join(c["tokens"]), "tokens": line.split()} for c, line in zip(coco, normalized)],
        "mteval": [{"text": s, "tokens": t} for s, t in zip(sorted(seen), mteval_tokenize(tools, sorted(seen)))],
    })
    write("stems.json", {"provenance": provenance, "stems": stem_vocabulary(tools, tokens)})


def write(name, data):
    path = os.path.join(FIXTURES, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
