#!/usr/bin/env python3
"""Measures how far HF tokenizers' converted fast tokenizers stay from the official SentencePiece.

For each SentencePiece model of the golden set it builds the tokenizer.json that transformers' slow->fast converters
build (convert_slow_tokenizer.py: LlamaConverter for the tokenizer.model folders, DebertaV2Converter for the spm.model
folders), encodes the corpus with HF tokenizers (hf_reference.js) and counts the lines whose ids differ from the
SentencePiece reference ids in expected.json.gz. This is why PeftSharp runs SentencePiece models with its own port of
SentencePiece instead of converting them to tokenizer.json. Run after make_golden.py:
    /usr/bin/python3 tools/golden/tokenization/hf_vs_sentencepiece.py
"""
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_golden as golden  # noqa: E402


def read_pieces(model):
    """(piece, score, type) of every piece, read from the ModelProto (type 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte)."""
    def fields(data):
        position = 0
        while position < len(data):
            key, position = varint(data, position)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, position = varint(data, position)
            elif wire == 5:
                value, position = data[position:position + 4], position + 4
            elif wire == 2:
                length, position = varint(data, position)
                value, position = data[position:position + length], position + length
            else:
                value, position = None, position + 8
            yield number, value

    def varint(data, position):
        value, shift = 0, 0
        while True:
            b = data[position]
            position += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value, position

    import struct
    pieces, charsmap, model_type, byte_fallback = [], b"", 1, False
    for number, value in fields(model):
        if number == 1:
            entry = {"type": 1, "score": 0.0}
            for n, v in fields(value):
                if n == 1:
                    entry["piece"] = v.decode("utf-8")
                elif n == 2:
                    entry["score"] = struct.unpack("<f", v)[0]
                elif n == 3:
                    entry["type"] = v
            pieces.append(entry)
        elif number == 2:
            for n, v in fields(value):
                if n == 3:
                    model_type = v
                elif n == 35:
                    byte_fallback = bool(v)
        elif number == 3:
            for n, v in fields(value):
                if n == 2:
                    charsmap = v
    return pieces, charsmap, model_type, byte_fallback


def generate_merges(vocab, scores):
    """transformers' generate_merges with piece scores: every split of a piece into two pieces, by score."""
    merges = []
    for merge, score in scores.items():
        local = [(merge[:i], merge[i:], score) for i in range(1, len(merge)) if merge[:i] in vocab and merge[i:] in vocab]
        merges.extend(sorted(local, key=lambda x: (vocab[x[0]], vocab[x[1]])))
    merges.sort(key=lambda v: (v[2], len(v[0]), len(v[1])), reverse=True)
    return [[a, b] for a, b, _ in merges]


def converted(model, llama):
    import base64
    pieces, charsmap, model_type, byte_fallback = read_pieces(model)
    if model_type == 1:
        tokenizer_model = {"type": "Unigram", "unk_id": next(i for i, p in enumerate(pieces) if p["type"] == 2),
                           "vocab": [[p["piece"], p["score"]] for p in pieces], "byte_fallback": llama}
    else:
        vocab = {p["piece"]: i for i, p in enumerate(pieces)}
        tokenizer_model = {"type": "BPE", "dropout": None, "unk_token": next(p["piece"] for p in pieces if p["type"] == 2),
                           "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": llama,
                           "ignore_merges": False, "vocab": vocab,
                           "merges": generate_merges(vocab, {p["piece"]: p["score"] for p in pieces})}
    # Control and user-defined pieces become added tokens (SpmConverter); the unknown piece and DeBERTa's [MASK] are
    # special tokens of the transformers tokenizer, so they are added too.
    added = [golden.added_token(p["piece"], i, special=p["type"] != 4) for i, p in enumerate(pieces) if p["type"] in (2, 3, 4)]
    if not llama:
        added.append(golden.added_token("[MASK]", len(pieces)))
    if llama:  # LlamaConverter, legacy
        normalizer = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                          {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
        pre_tokenizer = None
        decoder = {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                                    {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    else:  # DebertaV2Converter
        steps = [{"type": "Strip", "strip_left": True, "strip_right": True}]
        if charsmap:
            steps.append({"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii")})
        steps.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
        normalizer = {"type": "Sequence", "normalizers": steps}
        pre_tokenizer = {"type": "Sequence", "pretokenizers": [{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]}
        decoder = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": normalizer,
            "pre_tokenizer": pre_tokenizer, "post_processor": None, "decoder": decoder, "model": tokenizer_model}


def main():
    for name, file, llama in [("llama2", "tokenizer.model", True), ("unigram-byte-fallback", "tokenizer.model", True),
                              ("bpe-nmt-nfkc", "tokenizer.model", True), ("deberta-v3", "spm.model", False),
                              ("user-defined", "spm.model", False)]:
        folder = os.path.join(golden.OUT, name)
        path = os.path.join(folder, file)
        model = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz").read()
        with gzip.open(os.path.join(folder, "expected.json.gz")) as f:
            expected = json.load(f)["ids"]
        hf = golden.hf_run(converted(model, llama), clean_up=False)["ids"]
        differ = [i for i, (a, b) in enumerate(zip(expected, hf)) if a != b]
        first = f"; first: line {differ[0]} {json.dumps(golden.CORPUS[differ[0]][:60], ensure_ascii=False)}" if differ else ""
        print(f"{name}: HF tokenizers (converted like transformers) equals SentencePiece on {len(expected) - len(differ)} of {len(expected)} lines{first}")


if __name__ == "__main__":
    main()
