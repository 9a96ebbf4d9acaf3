#!/usr/bin/python3
"""Builds PeftSharp's WordNet 3.0 data: a pretraining corpus and three downstream tasks.

Reads the WordNet 3.0 database of Debian's `wordnet-base` package (`man 5 wndb`), installing
the package with apt-get when it is absent, and writes into the output folder (default
`assets/wordnet/` of this repository):

    corpus/train.txt, corpus/heldout.txt     pretraining text (not committed; regenerated)
    tasks/wn-pos/{train,dev,test}.jsonl      gloss -> noun/verb/adjective/adverb
    tasks/wn-lexname/{train,dev,test}.jsonl  gloss -> lexicographer file (45 classes)
    tasks/wn-define/{train,dev,test}.jsonl   "word (pos):" -> gloss, multi-reference dev/test
    README.md, LICENSE, .gitignore

One split of the synsets serves everything: the dev and test synsets are exactly the synsets
whose text goes to corpus/heldout.txt, and none of their text is in corpus/train.txt.
Everything is deterministic: orderings come from SHA-256 of (seed, key), never from `hash()`
or the clock; running twice gives byte-identical files.

Usage (from the repository root):  python3 tools/wordnet/make_wordnet_data.py [--out DIR]
"""

import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True        # no __pycache__ beside the script
import wordnet_readme  # noqa: E402

SEED = 13
MAX_GLOSS_CHARS = 200          # downstream sentences/completions longer than this are dropped
DEV_FRACTION = 0.010           # per lexicographer file, of the eligible synsets
TEST_FRACTION = 0.015
TRAIN_ROWS = {"wn-pos": 8000, "wn-lexname": 10000, "wn-define": 10000}
DEFINE_EVAL_ROWS = {"dev": 1000, "test": 2000}
SPLITS = ("train", "dev", "test")

DATA_FILES = ("noun", "verb", "adj", "adv")
POS_LABELS = ("noun", "verb", "adjective", "adverb")                 # wn-pos label ids
SS_TYPE_TO_POS = {"n": 0, "v": 1, "a": 2, "s": 2, "r": 3}           # satellites are adjectives

# Lexicographer file numbers -> names, as listed in `man 5 lexnames` (wn-lexname label ids).
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather",
    "adj.ppl",
)

Synset = collections.namedtuple(
    "Synset", "id pos lexname lemmas index_lemmas definitions examples gloss")


def fail(message):
    sys.exit("make_wordnet_data: " + message)


# ----------------------------------------------------------------------------- input

def ensure_wordnet(wordnet_dir):
    """Installs Debian's wordnet-base when the database is missing from its default place."""
    if os.path.exists(os.path.join(wordnet_dir, "data.noun")):
        return
    if wordnet_dir != "/usr/share/wordnet":
        fail(f"{wordnet_dir}/data.noun not found")
    print("WordNet database absent: installing Debian's wordnet-base with apt-get", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = sudo + ["apt-get", "install", "-y", "--no-install-recommends", "wordnet-base"]
    if subprocess.call(install, env=env) != 0:
        subprocess.check_call(sudo + ["apt-get", "update"], env=env)
        subprocess.check_call(install, env=env)
    if not os.path.exists(os.path.join(wordnet_dir, "data.noun")):
        fail(f"wordnet-base installed but {wordnet_dir}/data.noun is still missing")


def clean_text(text):
    """WordNet's `quotes' become 'quotes', underscores become spaces, whitespace is collapsed."""
    text = text.replace("_", " ").replace("`", "'")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([;,:.?!)])", r"\1", text)
    return text.strip(" ;:")


def split_outside_quotes(text, separator):
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


EXAMPLE_OPENING = re.compile(r'[;:,]\s*"')


def examples_start(gloss):
    """Index of the punctuation before the first example: `; "`, or `: "` / `, "` outside parentheses."""
    for match in EXAMPLE_OPENING.finditer(gloss):
        before = gloss[:match.start()]
        if match.group().startswith(";") or before.count("(") == before.count(")"):
            return match.start()
    return None


def parse_gloss(gloss):
    """Splits a gloss field into its definitions and its quoted example sentences.

    The definitions come first, separated by ';'; the examples follow as "..." strings separated
    by '; ' (sometimes with an attribution after the closing quote, which is dropped; a few are
    introduced by ':' or ','). A few glosses have unbalanced quotes: an unclosed final quote
    still yields its example, and a stray quote in a definition is removed.
    """
    start = examples_start(gloss)
    definition_part = gloss if start is None else gloss[:start]
    example_part = "" if start is None else gloss[start + 1:]
    definitions = []
    for part in split_outside_quotes(definition_part, ";"):
        if part.count('"') % 2:
            part = part.replace('"', "")
        part = clean_text(part)
        if part:
            definitions.append(part)
    examples = [e for e in (clean_text(p) for p in example_part.split('"')[1::2]) if len(e) > 1]
    return definitions, examples


def read_data_file(path):
    """Yields the synsets of one data.<pos> file (format: `man 5 wndb`)."""
    with open(path, encoding="ascii") as f:
        for line_number, line in enumerate(f, 1):
            if line.startswith("  "):              # license header
                continue
            where = f"{path}:{line_number}"
            head, bar, gloss = line.rstrip("\n").partition(" | ")
            if not bar:
                fail(f"{where}: no ' | ' before the gloss")
            fields = head.split()
            offset, lex_filenum, ss_type = fields[0], int(fields[1]), fields[2]
            if ss_type not in SS_TYPE_TO_POS or not 0 <= lex_filenum < len(LEXNAMES):
                fail(f"{where}: unexpected ss_type {ss_type!r} or lex_filenum {lex_filenum}")
            word_count = int(fields[3], 16)
            raw_words = fields[4:4 + 2 * word_count:2]
            # data.adj appends syntactic markers such as (a), (p), (ip) to a word
            raw_words = [re.sub(r"\((a|p|ip)\)$", "", w) for w in raw_words]
            definitions, examples = parse_gloss(gloss)
            if not definitions:
                fail(f"{where}: gloss without a definition: {gloss!r}")
            lemmas, index_lemmas = [], []
            for word in raw_words:
                lemma = clean_text(word)
                if lemma and lemma not in lemmas:
                    lemmas.append(lemma)
                    index_lemmas.append(word.lower())
            yield Synset(
                id=f"{offset}-{ss_type}", pos=SS_TYPE_TO_POS[ss_type],
                lexname=lex_filenum, lemmas=tuple(lemmas), index_lemmas=tuple(index_lemmas),
                definitions=tuple(definitions), examples=tuple(examples),
                gloss="; ".join(definitions))


def read_sense_ranks(wordnet_dir):
    """(lowercase lemma, data file, offset) -> sense number - 1, from the index.<pos> files."""
    ranks = {}
    for file_pos in DATA_FILES:
        with open(os.path.join(wordnet_dir, f"index.{file_pos}"), encoding="ascii") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                fields = line.split()
                synset_count = int(fields[2])
                for rank, offset in enumerate(fields[-synset_count:]):
                    ranks[(fields[0], file_pos, offset)] = rank
    return ranks


def read_license(wordnet_dir):
    """The WordNet 3.0 license notice, from Debian's copyright file, checked against data.noun."""
    copyright_path = "/usr/share/doc/wordnet-base/copyright"
    with open(copyright_path, encoding="utf-8") as f:
        stanza = f.read().split("License: WordNet3.0\n", 1)
    if len(stanza) != 2:
        fail(f"{copyright_path}: no 'License: WordNet3.0' stanza")
    lines = []
    for line in stanza[1].split("\n"):
        if not line.startswith(" "):
            break
        lines.append("" if line == " ." else line[1:])
    notice = "\n".join(lines).strip("\n") + "\n"
    with open(os.path.join(wordnet_dir, "data.noun"), encoding="ascii") as f:
        header = [re.sub(r"^  \d+ ?", "", l).rstrip() for l in f if l.startswith("  ")]
    if "\n".join(header).strip("\n") + "\n" != notice:
        fail(f"{copyright_path}: license text differs from the header of data.noun")
    return notice


# ----------------------------------------------------------------------------- split

def order_key(*parts):
    """A deterministic pseudo-random sort key."""
    return hashlib.sha256("|".join([str(SEED)] + [str(p) for p in parts]).encode()).hexdigest()


def assign_splits(synsets):
    """synset id -> "train" | "dev" | "test", stratified by lexicographer file.

    Only "eligible" synsets may be held out: gloss at most MAX_GLOSS_CHARS characters and a
    gloss that no other synset shares (so that no identical text is on both sides).
    """
    gloss_counts = collections.Counter(s.gloss.lower() for s in synsets)
    by_lexname = collections.defaultdict(list)
    for s in synsets:
        if len(s.gloss) <= MAX_GLOSS_CHARS and gloss_counts[s.gloss.lower()] == 1:
            by_lexname[s.lexname].append(s)
    split = {s.id: "train" for s in synsets}
    for lexname in sorted(by_lexname):
        eligible = sorted(by_lexname[lexname], key=lambda s: order_key("split", s.id))
        dev_count = max(1, int(len(eligible) * DEV_FRACTION + 0.5))
        test_count = max(2, int(len(eligible) * TEST_FRACTION + 0.5))
        for s in eligible[:dev_count]:
            split[s.id] = "dev"
        for s in eligible[dev_count:dev_count + test_count]:
            split[s.id] = "test"
    return split


def tempered_quotas(available, total):
    """Rows per class ~ sqrt(class size), capped by what is available, summing to `total`.

    A middle ground between the natural distribution (dominated by a few classes) and a
    uniform one (impossible for tiny classes).
    """
    if sum(available.values()) <= total:
        return dict(available)
    low, high = 0.0, float(total)
    for _ in range(100):                              # bisect the scale s in min(n, s*sqrt(n))
        scale = (low + high) / 2
        if sum(min(n, scale * n ** 0.5) for n in available.values()) < total:
            low = scale
        else:
            high = scale
    exact = {c: min(n, high * n ** 0.5) for c, n in available.items()}
    quotas = {c: int(x) for c, x in exact.items()}
    by_remainder = sorted(exact, key=lambda c: (-(exact[c] - quotas[c]), c))
    for c in by_remainder[:total - sum(quotas.values())]:
        quotas[c] += 1
    return quotas


# ----------------------------------------------------------------------------- output

def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_jsonl(path, rows):
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def corpus_lines(s):
    """Pretraining lines of one synset: word->gloss pairs, the bare gloss, its examples."""
    lines = [f"{lemma} ({POS_LABELS[s.pos]}): {s.gloss}" for lemma in s.lemmas]
    lines.append(s.gloss)
    lines.extend(s.examples)
    return lines


def write_corpus(out_dir, synsets, split):
    heldout, train = [], []
    for s in synsets:
        target = train if split[s.id] == "train" else heldout
        target.extend((order_key("corpus", s.id, i), line) for i, line in enumerate(corpus_lines(s)))
    heldout_set = {line for _, line in heldout}
    # an example sentence shared by a train and a held-out synset stays only in heldout.txt
    dropped = sum(1 for _, line in train if line in heldout_set)
    train = [(k, line) for k, line in train if line not in heldout_set]
    stats = {}
    for name, entries in (("train", train), ("heldout", heldout)):
        text = "".join(line + "\n" for _, line in sorted(entries))
        write_text(os.path.join(out_dir, "corpus", f"{name}.txt"), text)
        stats[name] = {"lines": len(entries), "words": len(text.split()),
                       "bytes": len(text.encode("utf-8"))}
    if {line for _, line in train} & heldout_set:
        fail("a held-out line is also in corpus/train.txt")
    return stats, dropped


def classification_rows(synsets, label_of):
    return [{"sentence": s.gloss, "label": label_of(s), "synset": s.id} for s in synsets]


def subsample_classification(pool, label_of, total):
    by_label = collections.defaultdict(list)
    for s in pool:
        by_label[label_of(s)].append(s)
    quotas = tempered_quotas({c: len(v) for c, v in by_label.items()}, total)
    chosen = []
    for c in sorted(by_label):
        chosen.extend(sorted(by_label[c], key=lambda s: order_key("take", s.id))[:quotas[c]])
    return chosen


def shuffled(rows, tag):
    return sorted(rows, key=lambda r: order_key(tag, json.dumps(r, sort_keys=True)))


def define_eval_rows(split_synsets, ranks, limit, split_name):
    """One row per (word, part of speech) among a split's synsets, all its glosses as references."""
    groups = collections.defaultdict(list)
    file_pos = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
    for s in split_synsets:
        offset, ss_type = s.id.split("-")
        for lemma, index_lemma in zip(s.lemmas, s.index_lemmas):
            rank = ranks.get((index_lemma, file_pos[ss_type], offset), 999)
            groups[(lemma, s.pos)].append((rank, s.id, s))
    keys = sorted(groups, key=lambda k: order_key("define", split_name, k[0], k[1]))[:limit]
    rows = []
    for lemma, pos in keys:
        senses = sorted(groups[(lemma, pos)], key=lambda t: (t[0], t[1]))
        references = [s.gloss for _, _, s in senses]
        rows.append({"prompt": f"{lemma} ({POS_LABELS[pos]}):", "completion": " " + references[0],
                     "references": references, "synsets": [sid for _, sid, _ in senses]})
    return rows


def build_tasks(synsets, split, ranks):
    by_split = {name: [s for s in synsets if split[s.id] == name] for name in SPLITS}
    train_pool = [s for s in by_split["train"] if len(s.gloss) <= MAX_GLOSS_CHARS]
    tasks = {}
    for task, label_of in (("wn-pos", lambda s: s.pos), ("wn-lexname", lambda s: s.lexname)):
        chosen = subsample_classification(train_pool, label_of, TRAIN_ROWS[task])
        tasks[task] = {
            "train": shuffled(classification_rows(chosen, label_of), task + "train"),
            "dev": shuffled(classification_rows(by_split["dev"], label_of), task + "dev"),
            "test": shuffled(classification_rows(by_split["test"], label_of), task + "test"),
        }
    pairs = [(lemma, s) for s in train_pool for lemma in s.lemmas]
    pairs = sorted(pairs, key=lambda p: order_key("define-train", p[1].id, p[0]))[:TRAIN_ROWS["wn-define"]]
    tasks["wn-define"] = {
        "train": [{"prompt": f"{lemma} ({POS_LABELS[s.pos]}):", "completion": " " + s.gloss,
                   "synset": s.id} for lemma, s in pairs],
        "dev": define_eval_rows(by_split["dev"], ranks, DEFINE_EVAL_ROWS["dev"], "dev"),
        "test": define_eval_rows(by_split["test"], ranks, DEFINE_EVAL_ROWS["test"], "test"),
    }
    check_disjoint(tasks, split)
    return tasks


def check_disjoint(tasks, split):
    """Every row's synsets belong to the row's split, so no synset is in two splits of any task."""
    for task, splits in tasks.items():
        seen = {}
        for split_name, rows in splits.items():
            for row in rows:
                for sid in row.get("synsets", [row.get("synset")]):
                    if split[sid] != split_name or seen.setdefault(sid, split_name) != split_name:
                        fail(f"{task}: synset {sid} of split {split[sid]} is in {split_name}"
                             f" (and in {seen[sid]})")


def package_version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "wordnet-base"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ----------------------------------------------------------------------------- main

def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(repo_root, "assets", "wordnet"),
                        help="output folder (default: assets/wordnet of this repository)")
    parser.add_argument("--wordnet-dir", default="/usr/share/wordnet",
                        help="folder of the WordNet 3.0 data.<pos>/index.<pos> files")
    args = parser.parse_args()

    ensure_wordnet(args.wordnet_dir)
    synsets = []
    for file_pos in DATA_FILES:
        synsets.extend(read_data_file(os.path.join(args.wordnet_dir, f"data.{file_pos}")))
    synsets.sort(key=lambda s: (s.id[-1], s.id))
    if len({s.id for s in synsets}) != len(synsets):
        fail("duplicate synset ids")
    ranks = read_sense_ranks(args.wordnet_dir)
    notice = read_license(args.wordnet_dir)
    inputs = [(f"{args.wordnet_dir}/{kind}.{p}", sha256_file(os.path.join(args.wordnet_dir, f"{kind}.{p}")))
              for kind in ("data", "index") for p in DATA_FILES]

    split = assign_splits(synsets)
    corpus_stats, dropped = write_corpus(args.out, synsets, split)
    tasks = build_tasks(synsets, split, ranks)
    for task, splits in tasks.items():
        for split_name, rows in splits.items():
            write_jsonl(os.path.join(args.out, "tasks", task, f"{split_name}.jsonl"), rows)
    write_text(os.path.join(args.out, "tasks", "wn-pos", "labels.json"), json.dumps(POS_LABELS) + "\n")
    write_text(os.path.join(args.out, "tasks", "wn-lexname", "labels.json"), json.dumps(LEXNAMES) + "\n")
    write_text(os.path.join(args.out, "LICENSE"), notice)
    write_text(os.path.join(args.out, ".gitignore"), "corpus/\n")
    readme = wordnet_readme.render_readme(sys.modules[__name__], args.out, tasks, corpus_stats, dropped,
                                          split, synsets, inputs, package_version())
    write_text(os.path.join(args.out, "README.md"), readme)

    print(f"{len(synsets)} synsets: " + ", ".join(
        f"{n} {name}" for name, n in sorted(collections.Counter(split.values()).items())))
    for name, st in corpus_stats.items():
        print(f"corpus/{name}.txt: {st['lines']} lines, {st['words']} words, {st['bytes']} bytes")
    for task, splits in tasks.items():
        print(f"{task}: " + ", ".join(f"{sp} {len(rows)}" for sp, rows in splits.items()))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
