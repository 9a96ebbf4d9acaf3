#!/usr/bin/env python3
"""Golden fixtures for PeftSharp's tokenizers (tests/PeftSharp.Tests/fixtures/tokenization/).

Everything here is written from the published algorithms, independently of the C# code:
  * a naive byte-level BPE trainer (recounts all pairs every step; most frequent pair wins, ties go to the pair
    whose (left, right) strings are smallest) -> gpt2-tiny/vocab.json + merges.txt, which the C# BpeTrainer must
    reproduce byte for byte;
  * GPT-2's encoder (regex pre-tokenization, bytes_to_unicode, repeatedly merge the lowest-ranked pair) for the
    GPT-2, RoBERTa and LLaMA-3-style fixtures (LLaMA-3: its regex, ignore_merges, added tokens, template);
  * SentencePiece (Debian's python3-sentencepiece) trains a LLaMA-2-like BPE model and a DeBERTa-v3-like Unigram
    model and encodes the test strings; HF's wrapping rules (BOS, [CLS]/[SEP], [MASK] id) are applied here;
  * BERT's BasicTokenizer + WordPiece on a hand-written vocab.txt.

Run (needs python3-regex and python3-sentencepiece from Debian):
    /usr/bin/python3 tools/golden/tokenization_golden.py
"""
import json
import os
import shutil
import sys
import tempfile
import unicodedata

import regex
import sentencepiece as spm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenization"))
from hf_formats import GPT2_PATTERN, LLAMA3_PATTERN, added_token, llama3_tokenizer_json, longest_first  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "PeftSharp.Tests", "fixtures", "tokenization"))
CORPUS = os.path.join(OUT, "corpus.txt")  # the training corpus (hand-written, mixed scripts)

GPT2_MERGES = 600
ENDOFTEXT = "<|endoftext|>"

TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    " leading space",
    "trailing space ",
    "  two  spaces  and   three",
    "tabs\tand\nnewlines\n\nend",
    "windows\r\nline\r\nendings",
    "don't won't I'm we'll they've she'd it's",
    "DON'T SHOUT, IT'S LOUD",
    "numbers 1234567 3.14159 1e-5 2,048 -42",
    "emoji 😀🚀👍🏽 ❤️ 🇫🇷 👨‍👩‍👧",
    "Café naïve résumé Zürich São Paulo",
    "Straße Größe Ärger",
    "Ελληνικά και Русский",
    "中文字符和日本語のテキスト",
    "한국어 텍스트",
    "Math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 𝟙𝟚𝟛 digits",
    "combining e\u0301 and a\u0300\u0301",
    "nbsp\u00a0here\u2028line separator\u3000ideographic space",
    "control\x00\x01\x1f chars\x7f",
    "symbols ™ © ® € £ ¥ ° ± × ÷ → ∞ ≤ ≥",
    "code: for (int i = 0; i < n; i++) { sum += a[i]; }",
    "https://example.org/path?query=1&x=2#frag",
    "a zzz b zzzqqq",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "'s 'S 'll 'LL ' s",
    "tokenization tokenizers retrained",
    "",
    " ",
    "\n",
    "   \n\n  ",
]

PAIRS = [
    ("Hello world", "The quick brown fox", None),
    ("A short one.", "A second, slightly longer sentence for the pair.", None),
    ("The quick brown fox jumps over the lazy dog.", "Café naïve résumé Zürich São Paulo", 12),
    ("one two three four five six seven eight", "nine ten", 9),
    ("tiny", "the second sequence is much longer than the first one", 10),
    ("equal length text here", "equal length text here", 11),
    ("only one sequence here, truncated", None, 6),
]


# ----------------------------------------------------------------------------------------------- byte-level BPE
def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    order = [table[b] for b in printable] + [table[b] for b in range(256) if b not in printable]
    return table, order


BYTE_TO_CHAR, BYTE_ORDER = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def byte_chars(text):
    return "".join(BYTE_TO_CHAR[b] for b in text.encode("utf-8"))


def split_pattern(pattern, text):
    pieces = regex.findall(pattern, text)
    assert "".join(pieces) == text, (pattern, text)
    return pieces


def merge_word(word, pair):
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(pair[0] + pair[1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def train_bpe(texts, merge_count):
    words = {}
    for text in texts:
        for piece in split_pattern(GPT2_PATTERN, text):
            key = tuple(byte_chars(piece))
            words[key] = words.get(key, 0) + 1
    merges = []
    for _ in range(merge_count):
        counts = {}
        for word, freq in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] = counts.get(pair, 0) + freq
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p[0], p[1]))
        merges.append(best)
        new_words = {}
        for word, freq in words.items():
            merged = merge_word(word, best)
            new_words[merged] = new_words.get(merged, 0) + freq
        words = new_words
    return merges


def bpe(piece_chars, ranks):
    word = tuple(piece_chars)
    while len(word) > 1:
        pairs = set(zip(word, word[1:]))
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        word = merge_word(word, best)
    return word


class ByteLevelReference:
    def __init__(self, vocab, merges, pattern, added=(), ignore_merges=False):
        self.vocab = vocab
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.pattern = pattern
        self.added = sorted(added, key=lambda t: -len(t[0]))  # (content, id, lstrip)
        self.ignore_merges = ignore_merges

    def encode_plain(self, text):
        ids = []
        for piece in split_pattern(self.pattern, text):
            chars = byte_chars(piece)
            if self.ignore_merges and chars in self.vocab:
                ids.append(self.vocab[chars])
                continue
            ids.extend(self.vocab[t] for t in bpe(chars, self.ranks))
        return ids

    def encode(self, text):
        ids, plain, i = [], "", 0
        while i < len(text):
            hit = next((t for t in self.added if text.startswith(t[0], i)), None)
            if hit is None:
                plain += text[i]
                i += 1
                continue
            if hit[2]:
                plain = plain.rstrip()
            ids.extend(self.encode_plain(plain))
            plain = ""
            ids.append(hit[1])
            i += len(hit[0])
        ids.extend(self.encode_plain(plain))
        return ids


def build_pairs(encode, single, pair):
    """single(a) / pair(a, b) -> (ids, type_ids); special counts from an empty encoding."""
    out = []
    for a_text, b_text, max_length in PAIRS:
        a = encode(a_text)
        b = encode(b_text) if b_text is not None else None
        if max_length is not None:
            if b is None:
                budget = max(0, max_length - len(single([])[0]))
                a = a[:budget]
            else:
                budget = max(0, max_length - len(pair([], [])[0]))
                keep_a, keep_b = longest_first(len(a), len(b), budget)
                a, b = a[:keep_a], b[:keep_b]
        ids, types = single(a) if b is None else pair(a, b)
        out.append({"first": a_text, "second": b_text, "max_length": max_length, "ids": ids, "type_ids": types})
    return out


def write_json(path, data, ensure_ascii=False, indent=1):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=ensure_ascii, indent=indent)
        f.write("\n")


def fresh_dir(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def corpus_texts():
    with open(CORPUS, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def make_gpt2(merges):
    d = fresh_dir("gpt2-tiny")
    tokens = list(BYTE_ORDER) + [a + b for a, b in merges] + [ENDOFTEXT]
    vocab = {t: i for i, t in enumerate(tokens)}
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(vocab, ensure_ascii=True))  # GPT-2's own layout: one line, \\uXXXX escapes
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8", newline="") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "GPT2Tokenizer", "add_prefix_space": False,
               "bos_token": ENDOFTEXT, "eos_token": ENDOFTEXT, "unk_token": ENDOFTEXT})
    write_json(os.path.join(d, "config.json"), {"model_type": "gpt2"})
    ref = ByteLevelReference(vocab, merges, GPT2_PATTERN, added=[(ENDOFTEXT, vocab[ENDOFTEXT], False)])
    texts = TEXTS + ["mixed<|endoftext|>special", "<|endoftext|>", "end of text <|endoftext|> next"]
    cases = [{"text": t, "ids": ref.encode(t), "with_special": ref.encode(t)} for t in texts]
    pairs = build_pairs(ref.encode, lambda a: (a, [0] * len(a)), lambda a, b: (a + b, [0] * len(a) + [1] * len(b)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": len(vocab), "bos": vocab[ENDOFTEXT], "eos": vocab[ENDOFTEXT],
               "pad": None, "unk": vocab[ENDOFTEXT], "cases": cases, "pairs": pairs})
    return vocab


def make_roberta(gpt2_vocab, merges):
    d = fresh_dir("roberta-tiny")
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for token, i in gpt2_vocab.items():
        if token != ENDOFTEXT:
            vocab[token] = i + 4
    vocab["<mask>"] = len(vocab)
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "RobertaTokenizer"})
    write_json(os.path.join(d, "config.json"), {"model_type": "roberta"})
    added = [("<s>", 0, False), ("<pad>", 1, False), ("</s>", 2, False), ("<unk>", 3, False), ("<mask>", vocab["<mask>"], True)]
    ref = ByteLevelReference(vocab, merges, GPT2_PATTERN, added=added)
    texts = TEXTS + ["The capital of France is <mask>.", "<s>already wrapped</s>"]
    cases = [{"text": t, "ids": ref.encode(t), "with_special": [0] + ref.encode(t) + [2]} for t in texts]
    pairs = build_pairs(ref.encode, lambda a: ([0] + a + [2], [0] * (len(a) + 2)),
                        lambda a, b: ([0] + a + [2, 2] + b + [2], [0] * (len(a) + len(b) + 4)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": len(vocab), "bos": 0, "eos": 2, "pad": 1, "unk": 3,
               "cases": cases, "pairs": pairs})


def make_llama3(gpt2_vocab, merges):
    d = fresh_dir("llama3-tiny")
    vocab = {t: i for t, i in gpt2_vocab.items() if t != ENDOFTEXT}
    # Tokens reachable only through ignore_merges (LLaMA-3's vocabulary has such entries).
    for extra in ["Ġzzz", "zzzqqq"]:
        assert extra not in vocab
        vocab[extra] = len(vocab)
    base = len(vocab)
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|start_header_id|>",
                "<|end_header_id|>", "<|eot_id|>"]
    added = [added_token(s, base + i) for i, s in enumerate(specials)]
    bot = base
    tokenizer = llama3_tokenizer_json(vocab, merges, added, bot)
    write_json(os.path.join(d, "tokenizer.json"), tokenizer, indent=2)
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "PreTrainedTokenizerFast",
               "bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "clean_up_tokenization_spaces": True})
    write_json(os.path.join(d, "config.json"), {"model_type": "llama"})
    ref = ByteLevelReference(vocab, merges, LLAMA3_PATTERN, added=[(s, base + i, False) for i, s in enumerate(specials)],
                             ignore_merges=True)
    texts = TEXTS + ["<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>", "Year 2024: 1234567 digits",
                     "WE'LL see, You'RE right"]
    cases = [{"text": t, "ids": ref.encode(t), "with_special": [bot] + ref.encode(t)} for t in texts]
    pairs = build_pairs(ref.encode, lambda a: ([bot] + a, [0] * (len(a) + 1)),
                        lambda a, b: ([bot] + a + [bot] + b, [0] * (len(a) + 1) + [1] * (len(b) + 1)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": base + len(specials), "bos": bot, "eos": base + 1,
               "pad": None, "unk": None, "cases": cases, "pairs": pairs})


# ---------------------------------------------------------------------------------------------- SentencePiece
def train_sentencepiece(**options):
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "m")
        spm.SentencePieceTrainer.train(input=CORPUS, model_prefix=prefix, minloglevel=2, **options)
        with open(prefix + ".model", "rb") as f:
            return f.read()


def make_llama2():
    d = fresh_dir("llama2-tiny")
    model = train_sentencepiece(model_type="bpe", vocab_size=700, byte_fallback=True, split_digits=True,
                                normalization_rule_name="identity", remove_extra_whitespaces=False, add_dummy_prefix=True,
                                unk_id=0, bos_id=1, eos_id=2, pad_id=-1, character_coverage=0.9995,
                                allow_whitespace_only_pieces=True)
    with open(os.path.join(d, "tokenizer.model"), "wb") as f:
        f.write(model)
    token = lambda s: {"__type": "AddedToken", "content": s, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False}
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "LlamaTokenizer", "add_bos_token": True,
               "add_eos_token": False, "bos_token": token("<s>"), "eos_token": token("</s>"), "unk_token": token("<unk>"),
               "pad_token": None, "legacy": True, "clean_up_tokenization_spaces": False})
    write_json(os.path.join(d, "special_tokens_map.json"), {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})
    write_json(os.path.join(d, "config.json"), {"model_type": "llama"})
    sp = spm.SentencePieceProcessor(model_proto=model)

    def encode(text):  # HF's legacy LlamaTokenizer: special tokens split out, the rest by SentencePiece
        ids = []
        for part in regex.split(r"(<s>|</s>|<unk>)", text):
            if part in ("<s>", "</s>", "<unk>"):
                ids.append(sp.piece_to_id(part))
            elif part:
                ids.extend(sp.encode(part))
        return ids

    texts = TEXTS + ["<s>Hello</s> world", "bytes ☃ 🦙 fall back"]
    # decode(skip_special_tokens=True): HF drops <unk>, <s>, </s>, then SentencePiece decodes the rest
    cases = [{"text": t, "ids": encode(t), "with_special": [1] + encode(t),
              "decoded": sp.decode([i for i in encode(t) if i not in (0, 1, 2)])} for t in texts]
    pairs = build_pairs(encode, lambda a: ([1] + a, [0] * (len(a) + 1)),
                        lambda a, b: ([1] + a + [1] + b, [0] * (len(a) + 1) + [1] * (len(b) + 1)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": sp.get_piece_size(), "bos": 1, "eos": 2, "pad": None, "unk": 0,
               "cases": cases, "pairs": pairs})


def make_deberta():
    d = fresh_dir("deberta-v3-tiny")
    model = train_sentencepiece(model_type="unigram", vocab_size=400, pad_id=0, pad_piece="[PAD]", bos_id=1,
                                bos_piece="[CLS]", eos_id=2, eos_piece="[SEP]", unk_id=3, unk_piece="[UNK]",
                                normalization_rule_name="nmt_nfkc")
    with open(os.path.join(d, "spm.model"), "wb") as f:
        f.write(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    mask = sp.get_piece_size()  # HF DebertaV2Tokenizer appends [MASK] after the SentencePiece pieces
    write_json(os.path.join(d, "tokenizer_config.json"), {"do_lower_case": False, "vocab_type": "spm"})
    write_json(os.path.join(d, "special_tokens_map.json"), {"bos_token": "[CLS]", "eos_token": "[SEP]", "unk_token": "[UNK]",
               "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"})
    write_json(os.path.join(d, "added_tokens.json"), {"[MASK]": mask})
    write_json(os.path.join(d, "config.json"), {"model_type": "deberta-v2"})
    specials = {"[CLS]": 1, "[SEP]": 2, "[PAD]": 0, "[UNK]": 3, "[MASK]": mask}

    def encode(text):
        ids = []
        for part in regex.split(r"(\[CLS\]|\[SEP\]|\[PAD\]|\[UNK\]|\[MASK\])", text):
            if part in specials:
                ids.append(specials[part])
            elif part:
                ids.extend(sp.encode(part))
        return ids

    texts = TEXTS + ["The capital of France is [MASK].", "fullwidth １２３ ＡＢＣ and ligature ﬁ"]
    cases = [{"text": t, "ids": encode(t), "with_special": [1] + encode(t) + [2],
              "decoded": sp.decode([i for i in encode(t) if i not in specials.values()])}
             for t in texts if "[MASK]" not in t] + \
            [{"text": t, "ids": encode(t), "with_special": [1] + encode(t) + [2]} for t in texts if "[MASK]" in t]
    pairs = build_pairs(encode, lambda a: ([1] + a + [2], [0] * (len(a) + 2)),
                        lambda a, b: ([1] + a + [2] + b + [2], [0] * (len(a) + 2) + [1] * (len(b) + 1)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": mask + 1, "bos": 1, "eos": 2, "pad": 0, "unk": 3, "mask": mask,
               "cases": cases, "pairs": pairs})


# ----------------------------------------------------------------------------------------------------- BERT
BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "!", "$", "+", ",", ".", "=", "?", "'", "(", ")", "©",
              "0", "1", "5", "the", "quick", "brown", "fox", "jump", "##s", "over", "lazy", "dog", "hello", "world",
              "cafe", "naive", "un", "##aff", "##able", "##ed", "##ing", "run", "token", "##ization", "##izer",
              "a", "b", "c", "e", "n", "i", "##i", "##v", "##e", "中", "文", "字", "ᄒ", "##ᅡ", "##ᆫ", "zurich",
              "resume", "s", "t", "don", "it", "is", "ok", "100", "##0", "x", "##x", "control", "chars", "greek", "αβγ"]


def bert_reference(text, lower=True):
    def is_control(c):
        return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf")

    def is_whitespace(c):
        return c in " \t\n\r" or unicodedata.category(c) == "Zs"

    def is_punct(c):
        cp = ord(c)
        return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or unicodedata.category(c).startswith("P")

    def is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
                or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

    cleaned = ""
    for c in text:
        if ord(c) in (0, 0xFFFD) or is_control(c):
            continue
        cleaned += " " if is_whitespace(c) else (" " + c + " " if is_cjk(ord(c)) else c)
    words = []
    for token in cleaned.split():
        if lower:
            token = token.lower()
            token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        current = ""
        for c in token:
            if is_punct(c):
                if current:
                    words.append(current)
                words.append(c)
                current = ""
            else:
                current += c
        if current:
            words.append(current)
    vocab = {t: i for i, t in enumerate(BERT_VOCAB)}
    ids = []
    for word in words:
        if len(word) > 100:
            ids.append(vocab["[UNK]"])
            continue
        pieces, start, bad = [], 0, False
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = ("##" if start > 0 else "") + word[start:end]
                if piece in vocab:
                    found = piece
                    break
                end -= 1
            if found is None:
                bad = True
                break
            pieces.append(vocab[found])
            start = end
        ids.extend([vocab["[UNK]"]] if bad else pieces)
    return ids


def make_bert():
    d = fresh_dir("bert-tiny")
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(BERT_VOCAB) + "\n")
    write_json(os.path.join(d, "tokenizer_config.json"), {"do_lower_case": True, "tokenizer_class": "BertTokenizer"})
    write_json(os.path.join(d, "config.json"), {"model_type": "bert"})
    vocab = {t: i for i, t in enumerate(BERT_VOCAB)}
    specials = {"[CLS]": 2, "[SEP]": 3, "[PAD]": 0, "[UNK]": 1, "[MASK]": 4}

    def encode(text):
        ids = []
        for part in regex.split(r"(\[CLS\]|\[SEP\]|\[PAD\]|\[UNK\]|\[MASK\])", text):
            if part in specials:
                ids.append(specials[part])
            elif part:
                ids.extend(bert_reference(part))
        return ids

    texts = ["Hello, World!", "The quick brown fox jumps over the lazy dog.", "Café naïve ZÜRICH résumé",
             "HeLLo $100 + 5 = ©", "中文字", "unaffable running tokenization tokenizer", "[CLS] hello [SEP] world [MASK]",
             "control\x00\u200b chars\ufffd", "한", "Greek ΑΒΓ αβγ", "don't it's", "x" * 101, "xxxxx", "unknownword", "",
             "tabs\tand\nnew\u3000lines"]
    cases = [{"text": t, "ids": encode(t), "with_special": [2] + encode(t) + [3]} for t in texts]
    pairs = build_pairs(encode, lambda a: ([2] + a + [3], [0] * (len(a) + 2)),
                        lambda a, b: ([2] + a + [3] + b + [3], [0] * (len(a) + 2) + [1] * (len(b) + 1)))
    write_json(os.path.join(d, "expected.json"), {"vocab_size": len(vocab), "bos": 2, "eos": 3, "pad": 0, "unk": 1,
               "cases": cases, "pairs": pairs})


def main():
    os.makedirs(OUT, exist_ok=True)
    merges = train_bpe(corpus_texts(), GPT2_MERGES)
    assert len(merges) == GPT2_MERGES
    gpt2_vocab = make_gpt2(merges)
    make_roberta(gpt2_vocab, merges)
    make_llama3(gpt2_vocab, merges)
    make_llama2()
    make_deberta()
    make_bert()
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
