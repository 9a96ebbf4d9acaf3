"""The README.md of the WordNet data folder, rendered from what make_wordnet_data.py wrote."""

import collections
import os


def file_size(path):
    return os.path.getsize(path)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def class_table(c, tasks, task, names):
    counts = {sp: collections.Counter(r["label"] for r in tasks[task][sp]) for sp in c.SPLITS}
    rows = [[i, f"`{name}`"] + [counts[sp][i] for sp in c.SPLITS] for i, name in enumerate(names)]
    rows.append(["", "**total**"] + [len(tasks[task][sp]) for sp in c.SPLITS])
    majority = [f"{100 * max(counts[sp].values()) / len(tasks[task][sp]):.1f} %" for sp in c.SPLITS]
    rows.append(["", "majority class"] + majority)
    return markdown_table(["id", "label", "train", "dev", "test"], rows)


def render_readme(c, out_dir, tasks, corpus_stats, dropped, split, synsets, inputs, version):
    """README.md of the output folder; `c` is make_wordnet_data (its constants)."""
    split_counts = collections.Counter(split.values())
    sizes = []
    for task in tasks:
        for sp in c.SPLITS:
            path = f"tasks/{task}/{sp}.jsonl"
            sizes.append([f"`{path}`", len(tasks[task][sp]), file_size(os.path.join(out_dir, path))])
    total_bytes = sum(r[2] for r in sizes)
    define = tasks["wn-define"]
    define_rows = [[sp, len(define[sp]),
                    sum(len(r["references"]) for r in define[sp]) if sp != "train" else "-",
                    sum(1 for r in define[sp] if len(r["references"]) > 1) if sp != "train" else "-"]
                   for sp in c.SPLITS]
    corpus_rows = [[f"`corpus/{n}.txt`", st["lines"], st["words"], st["bytes"]]
                   for n, st in corpus_stats.items()]
    input_rows = [[f"`{p}`", digest] for p, digest in inputs]
    text = f"""# WordNet 3.0 data for PeftSharp

Derived from [WordNet 3.0](https://wordnet.princeton.edu/) (Princeton University), read from
the database files of Debian 12's `wordnet-base` package (version {version}). WordNet's license is in
[LICENSE](LICENSE); it permits redistribution with that notice.

Regenerate everything here (byte for byte) from the repository root with

    python3 tools/wordnet/make_wordnet_data.py

(options: `--out DIR`, default `assets/wordnet`; `--wordnet-dir DIR`, default
`/usr/share/wordnet`, where the script runs `apt-get install wordnet-base` if the database is
missing). The seed ({c.SEED}) and all caps are constants at the top of the script.

## The split

One split of the {len(synsets)} synsets serves the corpus and every task. Each lexicographer
file (stratum) gives {c.DEV_FRACTION:.1%} of its *eligible* synsets to dev and {c.TEST_FRACTION:.1%}
to test (at least 1 and 2), chosen by SHA-256 of the seed and the synset id; the rest is
train. Eligible: gloss ≤ {c.MAX_GLOSS_CHARS} characters and not shared (case-insensitively) with any other
synset, so no identical gloss sits on both sides.

| split | synsets |
|---|---|
| train | {split_counts["train"]} |
| dev | {split_counts["dev"]} |
| test | {split_counts["test"]} |

The dev and test synsets are exactly the synsets of `corpus/heldout.txt`; none of their text is
in `corpus/train.txt`. The script asserts that every task row's synsets belong to its split.

## Text cleaning

A synset's gloss field is split into definitions (separated by `;`) and the quoted example
sentences after them (starting at the first `; "`, or at a `: "` / `, "` outside parentheses;
attributions after a closing quote are dropped). Underscores
become spaces, WordNet's `` `quotes' `` become `'quotes'`, whitespace is collapsed; adjective
syntactic markers such as `(p)` are removed from words. The **gloss** used everywhere below is
the definitions joined with `"; "`, without the examples.

## Pretraining corpus (`corpus/`, not committed: regenerate it)

Plain UTF-8 text, one line per item, lines in a seeded pseudo-random order. Per synset:
- one line per word of the synset: `<word> (<pos>): <gloss>`, e.g.
  `bank (noun): sloping land (especially the slope beside a body of water)` — the same format
  as the `wn-define` prompts, so pretraining teaches the word → gloss relation;
- the bare gloss (the input format of `wn-pos` and `wn-lexname`);
- each example sentence.

`<pos>` is `noun`, `verb`, `adjective` or `adverb`. Lexicographer file names never appear in
the corpus. {dropped} example lines of train synsets that are identical to a held-out line are
left out of `train.txt`.

{markdown_table(["file", "lines", "words", "bytes"], corpus_rows)}

## Tasks (`tasks/<task>/{{train,dev,test}}.jsonl`)

UTF-8 JSON Lines, uncompressed, one object per line, rows in a seeded pseudo-random order.
`synset` / `synsets` is the WordNet id `<8-digit offset>-<ss_type>` (n, v, a, s = adjective
satellite, r), for tracing only.

Train rows are a deterministic subsample of the train synsets with a gloss of at most
{c.MAX_GLOSS_CHARS} characters: per class ~ √(class size) (capped by availability), which tempers
the imbalance without starving big classes: wn-pos {c.TRAIN_ROWS["wn-pos"]} rows, wn-lexname
{c.TRAIN_ROWS["wn-lexname"]}, wn-define {c.TRAIN_ROWS["wn-define"]} (uniform over (word, synset)
pairs). Dev and test of wn-pos and wn-lexname hold *every* dev/test synset, in its natural
class distribution (so compare with the majority-class rate below).

### `wn-pos` — gloss → part of speech (4 classes)

`{{"sentence": "<gloss>", "label": <id>, "synset": "<id>"}}`; `labels.json` lists the label
names in id order. Adjective satellites count as adjectives.

{class_table(c, tasks, "wn-pos", c.POS_LABELS)}

### `wn-lexname` — gloss → lexicographer file (45 classes, the hard task)

Same format; the label id is WordNet's lexicographer file number (`man 5 lexnames`), and
`labels.json` lists the names in id order.

{class_table(c, tasks, "wn-lexname", c.LEXNAMES)}

### `wn-define` — word (part of speech) → gloss, generation

- train: `{{"prompt": "<word> (<pos>):", "completion": " <gloss>", "synset": "<id>"}}`, one row
  per (word, synset) pair; a polysemous word can appear in several rows with different
  completions.
- dev / test: `{{"prompt": "<word> (<pos>):", "completion": " <first gloss>", "references":
  ["<gloss>", ...], "synsets": ["<id>", ...]}}`, one row per distinct (word, pos) among the
  split's synsets (at most {c.DEFINE_EVAL_ROWS["dev"]} dev / {c.DEFINE_EVAL_ROWS["test"]} test,
  a seeded subsample). `references` are the glosses of all senses of that word and part of
  speech *among that split's synsets*, in WordNet's sense order (most frequent first, from the
  `index.<pos>` files); `completion` is the first of them with a leading space, `synsets`
  parallels `references`. Score a generation against all references (E2E metrics are
  multi-reference). Senses of the word in other splits are not references: the model must
  produce a held-out sense it never saw a gloss of.

{markdown_table(["split", "rows", "references", "rows with > 1 reference"], define_rows)}

## Files

{markdown_table(["file", "rows", "bytes"], sizes)}

Total task files: {total_bytes} bytes. `labels.json` files are small JSON arrays.

## Inputs (SHA-256)

{markdown_table(["file", "sha256"], input_rows)}

## License

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. The files here are
derived from the WordNet database and are distributed under WordNet's license, reproduced in
full in [LICENSE](LICENSE) (the notice from the header of the WordNet data files, identical to
Debian's `/usr/share/doc/wordnet-base/copyright`).
"""
    return text
