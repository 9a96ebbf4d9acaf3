#!/usr/bin/env python3
"""A safetensors file written byte by byte from the format specification with the Python standard library only,
independently of PeftSharp's writer (https://github.com/huggingface/safetensors#format):
8-byte little-endian header size N, N bytes of JSON, then the data area that data_offsets point into.

    python3 tools/golden/safetensors/make_safetensors_fixture.py

Writes two files under tests/PeftSharp.Tests/fixtures/safetensors/ (regenerating gives identical bytes).

1. golden.safetensors, for the reader, holding
  "a.f32":  F32  [2, 3] = 0.5, -1.25, 3.0, 1e-3, -0.0, 65504.0
  "b.bf16": BF16 [8]    bit patterns 0x3F80 (1), 0xC020 (-2.5), 0x4049 (3.140625), 0x7F80 (+inf), 0xFF80 (-inf),
                        0x7FC0 (NaN), 0x8000 (-0), 0x0001 (2^-133, the smallest subnormal)
  "c.f16":  F16  [6]    = 1.5, -2^-10, 65504, +inf, NaN (0x7E00), 2^-24 (the smallest subnormal)
  "d.i64":  I64  [2]    = -3, 2^53 + 1
  "e.bool": BOOL [3]    = true, false, true
  "f.u8":   U8   [0]    (no elements, no bytes)
  "g.u8":   U8   [3]    = 0, 128, 255
  "h.f64":  F64  []     = -1/3 (0-dim)
  "i.i32":  I32  [2, 2] = -2^31, 2^31 - 1, 0, -1
  "j.i16":  I16  [3]    = -32768, 32767, 7
  "k.i8":   I8   [2]    = -128, 127
and metadata {"format": "pt", "note": "golden"}. Unlike the reference writer, the header lists the tensors in reverse
name order with "__metadata__" last, is indented JSON not padded to 8 bytes, and the data area holds the tensors in
reverse name order too: a reader must rely on data_offsets alone.

2. writer_expected.safetensors, for the writer: the bytes the reference writer (safetensors' save_file) produces for the
tensors of WRITER_CASE with metadata {"format": "pt"}: compact JSON, "__metadata__" first, tensors sorted by dtype in
decreasing order of the reference's Dtype enum (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL: widest alignment
first) then by name, data in the same order with no gaps, header padded with spaces to a multiple of 8 bytes.
"""
import json
import pathlib
import struct


FIXTURES = pathlib.Path(__file__).resolve().parents[3] / "tests/PeftSharp.Tests/fixtures/safetensors"

# Position in the reference implementation's Dtype enum (declared in increasing alignment).
REFERENCE_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "F16": 7, "BF16": 8, "I32": 9, "F32": 11, "F64": 12, "I64": 13}

WRITER_CASE = [  # name, dtype, shape, raw little-endian bytes
    ("z.bool", "BOOL", [3], bytes([1, 0, 1])),
    ("b.i8", "I8", [1], struct.pack("<b", -5)),
    ("a.f16", "F16", [2], struct.pack("<2e", 1.0, -2.0)),
    ("m.f32", "F32", [1], struct.pack("<f", 0.25)),
    ("c.i64", "I64", [1], struct.pack("<q", 42)),
    ("y.f64", "F64", [], struct.pack("<d", 0.5)),
    ("bf", "BF16", [1, 1], struct.pack("<H", 0x3F80)),
    ("e.i32", "I32", [0, 3], b""),
    ("s.i16", "I16", [2], struct.pack("<2h", 1, -1)),
    ("u.u8", "U8", [2], bytes([7, 8])),
]


def write_reference_layout():
    ordered = sorted(WRITER_CASE, key=lambda p: (-REFERENCE_RANK[p[1]], p[0]))
    header = {"__metadata__": {"format": "pt"}}
    data = b""
    for name, dtype, shape, raw in ordered:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    out = FIXTURES / "writer_expected.safetensors"
    out.write_bytes(struct.pack("<Q", len(text)) + text + data)
    print(f"wrote {out} ({8 + len(text) + len(data)} bytes)")


def write_golden():
    parts = [
        ("a.f32", "F32", [2, 3], struct.pack("<6f", 0.5, -1.25, 3.0, 1e-3, -0.0, 65504.0)),
        ("b.bf16", "BF16", [8], struct.pack("<8H", 0x3F80, 0xC020, 0x4049, 0x7F80, 0xFF80, 0x7FC0, 0x8000, 0x0001)),
        ("c.f16", "F16", [6], struct.pack("<4e", 1.5, -2.0 ** -10, 65504.0, float("inf"))
                              + struct.pack("<H", 0x7E00) + struct.pack("<e", 2.0 ** -24)),  # NaN as an explicit bit pattern
        ("d.i64", "I64", [2], struct.pack("<2q", -3, 2 ** 53 + 1)),
        ("e.bool", "BOOL", [3], bytes([1, 0, 1])),
        ("f.u8", "U8", [0], b""),
        ("g.u8", "U8", [3], bytes([0, 128, 255])),
        ("h.f64", "F64", [], struct.pack("<d", -1 / 3)),
        ("i.i32", "I32", [2, 2], struct.pack("<4i", -2 ** 31, 2 ** 31 - 1, 0, -1)),
        ("j.i16", "I16", [3], struct.pack("<3h", -32768, 32767, 7)),
        ("k.i8", "I8", [2], struct.pack("<2b", -128, 127)),
    ]

    header = {}
    data = b""
    for name, dtype, shape, raw in sorted(parts, reverse=True):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"format": "pt", "note": "golden"}
    text = json.dumps(header, indent=1).encode("utf-8")
    out = FIXTURES / "golden.safetensors"
    out.write_bytes(struct.pack("<Q", len(text)) + text + data)
    print(f"wrote {out} ({8 + len(text) + len(data)} bytes)")


if __name__ == "__main__":
    write_golden()
    write_reference_layout()
