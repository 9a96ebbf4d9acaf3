#!/usr/bin/python3
"""Golden fixture for beam search's early_stopping modes and for stopping at any of several EOS ids.

The model is a fixed table of next-token logits that depends only on the last token (PeftSharp's tests load it as a
TableModel). The expected outputs come from transformers' beam search as GenerationMixin._beam_search runs it since the
vectorised rewrite (v4.50), re-implemented here from reading that code (nothing copied), for one prompt at a time
(prompts of a batch never interact), in float32 like transformers:

* each step: log_softmax of the logits, plus each running beam's score; the top K = max(2, 1 + #eos) * num_beams
  (beam, token) continuations of all beams; a continuation "hits" when its token is any EOS id or the length limit is
  reached (EosTokenCriteria, MaxLengthCriteria);
* finished beams: of the top num_beams continuations, those that hit, scored sum / (generated length)^length_penalty,
  merged with the kept ones and the best num_beams kept -- unless the prompt can no longer improve, or early_stopping
  is true and num_beams are already kept;
* running beams: the best num_beams continuations after adding -1e9 to those that hit;
* then the early-stop heuristic: the prompt can still improve while some kept slot is empty or the best running score
  divided by length^length_penalty beats the worst kept one -- the length being the current generated length, or the
  longest (max_new_tokens) with early_stopping "never" and length_penalty > 0;
* the search stops when no prompt can improve, when early_stopping is true and every slot is kept, or at the limit;
  the answer is the best kept hypothesis (with its EOS token).

Greedy decoding with the same EOS list stops each row at its first EOS, whichever of the ids it is.

A seeded search picks a table on which false, true and "never" give three different answers and every decision has a
margin of at least 1e-3 (no near ties that float rounding could flip).

Run with Debian's python3-torch:  /usr/bin/python3 tools/golden/generation/make_beam_search_fixtures.py
Writes tests/PeftSharp.Tests/fixtures/generation/beam_search_early_stopping.json.
"""
import json
import os

import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
OUT = os.path.join(ROOT, "tests", "PeftSharp.Tests", "fixtures", "generation")
NEG = torch.tensor(-1e9, dtype=torch.float32)
MARGIN = 1e-3
VOCAB, EOS, NUM_BEAMS, LENGTH_PENALTY, MAX_NEW = 7, [5, 6], 2, 1.5, 6
PROMPTS = [[0, 3], [1]]
MODES = {"false": False, "true": True, "never": "never"}


class Margins:
    """The smallest gap seen between two values whose order decided something."""

    def __init__(self):
        self.smallest = float("inf")

    def ranked(self, values):  # a sorted (descending) list of scores: every neighbouring pair matters
        real = [float(v) for v in values if float(v) > -1e8]
        for a, b in zip(real, real[1:]):
            self.smallest = min(self.smallest, a - b)

    def compared(self, a, b):
        if float(a) > -1e8 and float(b) > -1e8:
            self.smallest = min(self.smallest, abs(float(a) - float(b)))


def beam_search(table, prompt, early_stopping, margins):
    k = max(2, 1 + len(EOS)) * NUM_BEAMS
    running = [list(prompt)] * NUM_BEAMS
    running_scores = torch.tensor([0.0] + [-1e9] * (NUM_BEAMS - 1), dtype=torch.float32)
    kept = [None] * NUM_BEAMS
    kept_scores = torch.full((NUM_BEAMS,), -1e9, dtype=torch.float32)
    kept_finished = torch.zeros(NUM_BEAMS, dtype=torch.bool)
    can_improve = True
    for step in range(MAX_NEW):
        log_probs = torch.log_softmax(table[[seq[-1] for seq in running]], -1)         # (beams, vocab)
        accumulated = (log_probs + running_scores[:, None]).reshape(-1)
        top_scores, top_index = torch.topk(accumulated, min(k + 1, accumulated.numel()))
        margins.ranked(top_scores)                                                      # including the first one left out
        top_scores, top_index = top_scores[:k], top_index[:k]
        sequences = [running[int(i) // VOCAB] + [int(i) % VOCAB] for i in top_index]
        hits = torch.tensor([seq[-1] in EOS or step == MAX_NEW - 1 for seq in sequences])
        top_beams = torch.arange(len(sequences)) < NUM_BEAMS

        # finished beams
        candidate_scores = top_scores / ((step + 1) ** LENGTH_PENALTY)
        full = bool(kept_finished.all()) and early_stopping is True
        candidate_scores = candidate_scores + NEG * float(full) + NEG * float(not can_improve) + NEG * (~(hits & top_beams)).float()
        merged_scores = torch.cat((kept_scores, candidate_scores))
        merged = kept + sequences
        merged_finished = torch.cat((kept_finished, hits & top_beams))
        order = torch.topk(merged_scores, NUM_BEAMS + 1 if merged_scores.numel() > NUM_BEAMS else NUM_BEAMS)
        margins.ranked(order.values)
        keep = order.indices[:NUM_BEAMS]
        kept, kept_scores, kept_finished = [merged[int(i)] for i in keep], merged_scores[keep], merged_finished[keep]

        # running beams
        adjusted = top_scores + NEG * hits.float()
        nxt = torch.topk(adjusted, NUM_BEAMS).indices
        running, running_scores = [sequences[int(i)] for i in nxt], adjusted[nxt]

        # early-stop heuristic
        length = MAX_NEW if early_stopping == "never" and LENGTH_PENALTY > 0 else step + 1
        best_possible = running_scores[0] / (length ** LENGTH_PENALTY)
        worst = torch.where(kept_finished, kept_scores.min(), NEG)
        if bool(kept_finished.all()):
            margins.compared(best_possible, kept_scores.min())
        can_improve = can_improve and bool((best_possible > worst).any())
        if not can_improve or (bool(kept_finished.all()) and early_stopping is True) or bool(hits.all()):
            break
    return kept[0][len(prompt):]


def greedy(table, prompt, margins):
    seq, out = list(prompt), []
    for _ in range(MAX_NEW):
        logits = table[seq[-1]]
        margins.ranked(torch.topk(logits, 2).values)
        token = int(torch.argmax(logits))
        seq.append(token)
        out.append(token)
        if token in EOS:
            break
    return out


def main():
    for seed in range(1, 5000):
        g = torch.Generator().manual_seed(seed)
        table = (torch.randn(VOCAB, VOCAB, generator=g) * 2.0).float()
        margins = Margins()
        beams = {name: [beam_search(table, p, mode, margins) for p in PROMPTS] for name, mode in MODES.items()}
        answers = [tuple(beams[name][0]) for name in MODES]
        greedy_out = [greedy(table, p, margins) for p in PROMPTS]
        ends = {tuple(o)[-1] for o in greedy_out}
        if len(set(answers)) == 3 and ends == set(EOS) and margins.smallest >= MARGIN:
            break
    else:
        raise AssertionError("no table separates the three early_stopping modes")
    os.makedirs(OUT, exist_ok=True)
    fixture = {
        "seed": seed, "logits": [[float(v) for v in row] for row in table], "eos_token_id": EOS, "num_beams": NUM_BEAMS,
        "length_penalty": LENGTH_PENALTY, "max_new_tokens": MAX_NEW, "prompts": PROMPTS, "smallest_margin": margins.smallest,
        "beam": beams, "greedy": greedy_out,
    }
    with open(os.path.join(OUT, "beam_search_early_stopping.json"), "w") as f:
        json.dump(fixture, f, indent=1)
    print(f"seed {seed}, smallest margin {margins.smallest:.4f}")
    for name, out in beams.items():
        print(f"early_stopping {name:5s}: {out}")
    print(f"greedy: {greedy_out}")


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
