#!/usr/bin/env python3
"""Golden fixture for Dual LoRA (Xu et al., arXiv 2512.03402, eqs. 5-9 and 12), written from the paper and
docs/methods.md, independently of the C# code. Run with Debian's python3-torch:

    /usr/bin/python3 tools/golden/adapters/make_dual_lora_fixture.py

Writes tests/PeftSharp.Tests/fixtures/adapters/dual_lora_golden.json: a Linear layer W0 (d=5, k=6),
bias b, factors A (r1=2, k), B (d, r1), C (r2=3, k), D (d, r2), alpha = 4, input x (4, k) and an
upstream gradient R (4, d) large enough that the STE clip is active. The loss is sum(y * R) with
y = x W0^T + b + x dW^T, dW = alpha / sqrt(r1 r2) * ReLU(B A) * Sign(D C).
"""
import json
import math
import pathlib

import torch


class SignSTE(torch.autograd.Function):
    """Sign(x) = +1 if x > 0 else -1; backward passes the incoming gradient clipped to [-1, 1] (eq. 7)."""

    @staticmethod
    def forward(ctx, x):
        return torch.where(x > 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(-1.0, 1.0)


def main():
    torch.manual_seed(20241122)
    d, k, r1, r2, alpha = 5, 6, 2, 3, 4.0
    dt = torch.float64
    w0 = torch.randn(d, k, dtype=dt)
    b = torch.randn(d, dtype=dt)
    A = (torch.randn(r1, k, dtype=dt) * 0.7).requires_grad_()
    B = (torch.randn(d, r1, dtype=dt) * 0.7).requires_grad_()
    C = (torch.randn(r2, k, dtype=dt) * 0.7).requires_grad_()
    D = (torch.randn(d, r2, dtype=dt) * 0.7).requires_grad_()
    x = torch.randn(4, k, dtype=dt)
    R = torch.randn(4, d, dtype=dt) * 3.0

    scale = alpha / math.sqrt(r1 * r2)
    w_m = torch.relu(B @ A)
    w_d = SignSTE.apply(D @ C)
    delta = scale * w_m * w_d
    y = x @ (w0 + delta).T + b
    (y * R).sum().backward()

    # How many entries of dL/dW_d were clipped: the fixture must exercise the clip.
    grad_wd = scale * (R.T @ x) * w_m
    clipped = int((grad_wd.abs() > 1).sum())
    assert clipped > 0, "fixture does not exercise the gradient clip"

    def lst(t):
        return t.detach().tolist()

    out = {
        "d": d, "k": k, "r1": r1, "r2": r2, "alpha": alpha,
        "w0": lst(w0), "b": lst(b), "A": lst(A), "B": lst(B), "C": lst(C), "D": lst(D),
        "x": lst(x), "R": lst(R),
        "delta": lst(delta), "y": lst(y),
        "grad_A": lst(A.grad), "grad_B": lst(B.grad), "grad_C": lst(C.grad), "grad_D": lst(D.grad),
        "clipped_entries": clipped,
        "generator": "tools/golden/adapters/make_dual_lora_fixture.py, torch " + torch.__version__,
    }
    path = pathlib.Path(__file__).resolve().parents[3] / "tests/PeftSharp.Tests/fixtures/adapters/dual_lora_golden.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} ({clipped} clipped entries)")


if __name__ == "__main__":
    main()
