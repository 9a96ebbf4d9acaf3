#!/usr/bin/env python3
"""A safetensors file written byte by byte from the format specification with the Python standard library,
independently of PeftSharp's writer (https://github.com/huggingface/safetensors#format):
8-byte little-endian header size, JSON header, raw little-endian data.

    python3 tools/golden/safetensors/make_safetensors_fixture.py

Writes tests/PeftSharp.Tests/fixtures/safetensors/golden.safetensors holding
  "a.f32":  F32  [2, 3] = 0.5, -1.25, 3.0, 1e-3, -0.0, 65504.0
  "b.bf16": BF16 [3]    = 1.0, -2.5, 3.140625   (bf16 is the top half of the float32 bit pattern)
  "c.f16":  F16  [2]    = 1.5, -0.0009765625
  "d.i64":  I64  [2]    = -3, 9007199254740993
  "e.bool": BOOL [3]    = true, false, true
  "f.u8":   U8   [0]    (empty)
with metadata {"format": "pt", "note": "golden"} and 2 spaces of header padding semantics left to the writer.
"""
import json
import pathlib
import struct


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def main():
    parts = []
    parts.append(("a.f32", "F32", [2, 3], struct.pack("<6f", 0.5, -1.25, 3.0, 1e-3, -0.0, 65504.0)))
    parts.append(("b.bf16", "BF16", [3], b"".join(struct.pack("<H", f32_bits(v) >> 16) for v in (1.0, -2.5, 3.140625))))
    parts.append(("c.f16", "F16", [2], struct.pack("<2e", 1.5, -0.0009765625)))
    parts.append(("d.i64", "I64", [2], struct.pack("<2q", -3, 9007199254740993)))
    parts.append(("e.bool", "BOOL", [3], bytes([1, 0, 1])))
    parts.append(("f.u8", "U8", [0], b""))
    header = {"__metadata__": {"format": "pt", "note": "golden"}}
    offset = 0
    data = b""
    for name, dtype, shape, raw in parts:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    out = pathlib.Path(__file__).resolve().parents[3] / "tests/PeftSharp.Tests/fixtures/safetensors/golden.safetensors"
    out.write_bytes(struct.pack("<Q", len(text)) + text + data)
    print(f"wrote {out} ({8 + len(text) + len(data)} bytes)")


if __name__ == "__main__":
    main()
