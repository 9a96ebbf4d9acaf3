#!/usr/bin/python3
"""Golden fixtures for PeftSharp's model implementations.

Builds tiny, seeded, random checkpoints in the exact HuggingFace layout (config.json with HF field
names, model.safetensors or a sharded index) and the outputs an independent reference computes for
them: logits for fixed inputs (with a left/right padding case) and the greedy continuation of a
prompt, plus one beam-search result.

The reference architectures below are written in plain PyTorch from the published definitions
(GPT-2: Radford et al. 2019 / HF GPT2LMHeadModel; LLaMA: Touvron et al. 2023 + HF rotate-half RoPE
layout and Meta's llama3 frequency scaling; RoBERTa/BERT: Liu et al. 2019 / Devlin et al. 2019 +
the HF sequence-classification heads; GPT-2/LLaMA classifiers: HF's `score` on the last real token;
DeBERTa-v2/v3: He et al. 2021 disentangled attention with the published log-bucket relative positions). They deliberately use a different style from the C# code
(float64, explicit per-head loops, no fused attention), so the two share no implementation.

Run with Debian's python3-torch (no transformers, no safetensors package needed):
    /usr/bin/python3 tools/golden/models/make_model_fixtures.py [builder ...]
(no arguments: every fixture; e.g. `make_deberta_v3_c2p` rebuilds only that one). Writes tests/PeftSharp.Tests/fixtures/models/<case>/.
"""
import json
import math
import os
import struct

import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "tests", "PeftSharp.Tests", "fixtures", "models")

# --------------------------------------------------------------------------------------------
# safetensors writing (format: u64 little-endian header length, JSON header, raw little-endian data)
# --------------------------------------------------------------------------------------------
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
          torch.uint8: "U8", torch.bool: "BOOL"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = metadata or {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_checkpoint(folder, config, tensors, shards=1):
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
        return
    names = sorted(tensors)
    weight_map = {}
    total = 0
    per = math.ceil(len(names) / shards)
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n] for n in names[s * per:(s + 1) * per]}
        write_safetensors(os.path.join(folder, file), part)
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)


def write_expected(folder, expected):
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))


def as64(tensors):
    """float64 copies of the stored weights (bf16 weights are rounded first, as stored)."""
    return {k: v.to(torch.float64) for k, v in tensors.items()}


def rounded(x, n=7):
    return [round(float(v), n) for v in x]


# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------
def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_tanh(x):  # "gelu_new" (Hendrycks & Gimpel tanh approximation)
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def attend(q, k, v, allowed):
    """One head. q (T, d), k/v (S, d), allowed (T, S) bool. Rows with nothing allowed give zeros."""
    scores = q @ k.T / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~allowed, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    probs = torch.nan_to_num(probs, nan=0.0)
    return probs @ v


def causal_allowed(mask_row, window=None):
    """mask_row (S,) of 0/1 -> (S, S) bool: query i may see key j <= i that is a real token."""
    s = mask_row.shape[0]
    allowed = torch.zeros(s, s, dtype=torch.bool)
    for i in range(s):
        for j in range(i + 1):
            if mask_row[j] == 1 and (window is None or i - j < window):
                allowed[i, j] = True
    return allowed


def positions_from_mask(mask):
    """HF generate's convention: position = number of real tokens before this one; pads get 1."""
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


def greedy(forward, prompt, steps, eos_ids):
    ids = list(prompt)
    out = []
    margin = float("inf")
    for _ in range(steps):
        x = torch.tensor([ids])
        logits = forward(x, torch.ones_like(x))[0, -1]
        top2 = torch.topk(logits, 2).values
        margin = min(margin, float(top2[0] - top2[1]))
        nxt = int(torch.argmax(logits))
        out.append(nxt)
        ids.append(nxt)
        if nxt in eos_ids:
            break
    assert margin > 1e-4, f"greedy continuation has a near tie (margin {margin}); change the seed"
    return out, margin


def beam_search(forward, prompt, num_beams, max_new, eos_id, length_penalty, no_repeat):
    """HF's beam search (BeamSearchScorer, early_stopping=False), one prompt, written plainly:
    every step recomputes every beam from scratch."""
    prompt_len = len(prompt)
    beams = [(list(prompt), 0.0)] + [(list(prompt), -1e9)] * (num_beams - 1)
    finished = []  # (score, tokens)
    worst = 1e9
    done = False

    def add(tokens, sum_logprobs, gen_len):
        nonlocal worst
        score = sum_logprobs / (gen_len ** length_penalty)
        if len(finished) < num_beams or score > worst:
            finished.append((score, tokens))
            if len(finished) > num_beams:
                finished.sort(key=lambda t: t[0])
                del finished[0]
                worst = finished[0][0]
            else:
                worst = min(score, worst)

    for step in range(max_new):
        candidates = []
        for b, (tokens, score) in enumerate(beams):
            x = torch.tensor([tokens])
            logp = torch.log_softmax(forward(x, torch.ones_like(x))[0, -1], -1)
            if no_repeat and len(tokens) >= no_repeat:
                prefix = tuple(tokens[len(tokens) - no_repeat + 1:])
                for i in range(len(tokens) - no_repeat + 1):
                    if tuple(tokens[i:i + no_repeat - 1]) == prefix:
                        logp[tokens[i + no_repeat - 1]] = float("-inf")
            for t in range(logp.shape[0]):
                candidates.append((score + float(logp[t]), b, t))
        candidates.sort(key=lambda c: -c[0])
        candidates = candidates[:2 * num_beams]
        cur_len = len(beams[0][0]) + 1
        new_beams = []
        for rank, (s, b, t) in enumerate(candidates):
            if t == eos_id:
                if rank >= num_beams:
                    continue
                add(beams[b][0], s, cur_len - prompt_len)
            else:
                new_beams.append((beams[b][0] + [t], s))
            if len(new_beams) == num_beams:
                break
        if len(finished) >= num_beams:
            best_possible = candidates[0][0] / ((cur_len - prompt_len) ** length_penalty)
            done = worst >= best_possible
        beams = new_beams
        if done:
            break
    if not done:
        for tokens, s in beams:
            add(tokens, s, len(tokens) - prompt_len)
    finished.sort(key=lambda t: t[0])
    score, tokens = finished[-1]
    gen = tokens[prompt_len:]
    if len(gen) < max_new:  # HF appends the EOS when it fits
        gen = gen + [eos_id]
    return gen, score


# --------------------------------------------------------------------------------------------
# GPT-2
# --------------------------------------------------------------------------------------------
GPT2 = dict(vocab_size=64, n_positions=24, n_embd=16, n_layer=2, n_head=4, n_inner=64)


def gpt2_weights(seed):
    g = torch.Generator().manual_seed(seed)
    c = GPT2
    d, inner = c["n_embd"], c["n_inner"]

    def rnd(*shape, std=0.3):
        return (torch.randn(*shape, generator=g) * std).float()

    w = {"wte.weight": rnd(c["vocab_size"], d, std=0.5), "wpe.weight": rnd(c["n_positions"], d, std=0.2)}
    for i in range(c["n_layer"]):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = 1 + rnd(d, std=0.1)
        w[p + "ln_1.bias"] = rnd(d, std=0.1)
        w[p + "attn.c_attn.weight"] = rnd(d, 3 * d)  # Conv1D: (in, out)
        w[p + "attn.c_attn.bias"] = rnd(3 * d, std=0.1)
        w[p + "attn.c_proj.weight"] = rnd(d, d)
        w[p + "attn.c_proj.bias"] = rnd(d, std=0.1)
        w[p + "ln_2.weight"] = 1 + rnd(d, std=0.1)
        w[p + "ln_2.bias"] = rnd(d, std=0.1)
        w[p + "mlp.c_fc.weight"] = rnd(d, inner)
        w[p + "mlp.c_fc.bias"] = rnd(inner, std=0.1)
        w[p + "mlp.c_proj.weight"] = rnd(inner, d, std=0.2)
        w[p + "mlp.c_proj.bias"] = rnd(d, std=0.1)
    w["ln_f.weight"] = 1 + rnd(d, std=0.1)
    w["ln_f.bias"] = rnd(d, std=0.1)
    return w


def gpt2_forward(w, ids, mask, eps=1e-5):
    """w: float64 weights without prefix. ids/mask (B, T) -> logits of the tied head."""
    return gpt2_hidden(w, ids, mask, eps) @ w["wte.weight"].T


def gpt2_hidden(w, ids, mask, eps=1e-5):
    """w: float64 weights without prefix. ids/mask (B, T). Positions from the mask. -> (B, T, d) after ln_f."""
    c = GPT2
    d, nh = c["n_embd"], c["n_head"]
    hd = d // nh
    pos = positions_from_mask(mask)
    x = w["wte.weight"][ids] + w["wpe.weight"][pos]
    for i in range(c["n_layer"]):
        p = f"h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv[..., :d], qkv[..., d:2 * d], qkv[..., 2 * d:]
        out = torch.zeros_like(h)
        for b in range(ids.shape[0]):
            allowed = causal_allowed(mask[b])
            for head in range(nh):
                sl = slice(head * hd, (head + 1) * hd)
                out[b, :, sl] = attend(q[b, :, sl], k[b, :, sl], v[b, :, sl], allowed)
        x = x + out @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        h = gelu_tanh(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    return layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)


def gpt2_config():
    c = GPT2
    return {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": 63, "embd_pdrop": 0.1, "eos_token_id": 63, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": c["n_positions"], "n_embd": c["n_embd"],
        "n_head": c["n_head"], "n_inner": c["n_inner"], "n_layer": c["n_layer"], "n_positions": c["n_positions"],
        "resid_pdrop": 0.1, "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
        "summary_type": "cls_index", "summary_use_proj": True, "vocab_size": c["vocab_size"],
    }


def causal_expected(forward, vocab, eos_ids, seed, with_beam=False):
    g = torch.Generator().manual_seed(seed)
    single = torch.randint(0, vocab - 1, (1, 7), generator=g)
    batch = torch.randint(0, vocab - 1, (2, 6), generator=g)
    batch_mask = torch.ones_like(batch)
    batch_mask[0, :2] = 0  # left padding of two tokens in row 0
    batch[0, :2] = 0
    cases = []
    for name, ids, mask in (("single", single, torch.ones_like(single)), ("left_padded", batch, batch_mask)):
        logits = forward(ids, mask)
        cases.append({"name": name, "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                      "shape": list(logits.shape), "logits": rounded(logits.flatten())})
    prompt = single[0].tolist()
    tokens, margin = greedy(forward, prompt, 8, eos_ids)
    expected = {"cases": cases, "greedy": {"prompt": prompt, "max_new_tokens": 8, "tokens": tokens,
                                           "min_margin": margin}}
    if with_beam:
        # EOS for the beam case: the first token the greedy path likes that makes the best beam end
        # with EOS after a few tokens (exercises finished hypotheses, length penalty and n-gram bans).
        for eos in dict.fromkeys(tokens):
            gen, score = beam_search(forward, prompt, num_beams=4, max_new=10, eos_id=eos, length_penalty=0.8,
                                     no_repeat=2)
            if 4 <= len(gen) < 10 and gen[-1] == eos:
                break
        else:
            raise AssertionError("no EOS choice gives an interesting beam search; change the seed")
        expected["beam"] = {"prompt": prompt, "num_beams": 4, "max_new_tokens": 10, "eos_token_id": eos,
                            "length_penalty": 0.8, "no_repeat_ngram_size": 2, "tokens": gen, "score": score}
    return expected


def make_gpt2():
    w = gpt2_weights(seed=1)
    w64 = as64(w)

    def fwd(ids, mask):
        return gpt2_forward(w64, ids, mask)

    expected = causal_expected(fwd, GPT2["vocab_size"], [63], seed=11, with_beam=True)
    n = GPT2["n_positions"]
    buffers = {}
    for i in range(GPT2["n_layer"]):
        buffers[f"h.{i}.attn.bias"] = torch.tril(torch.ones(n, n)).view(1, 1, n, n)
        buffers[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    # 1. the original `gpt2` layout: no prefix, mask buffers, no lm_head
    folder = os.path.join(OUT, "gpt2_original")
    write_checkpoint(folder, gpt2_config(), {**w, **buffers})
    write_expected(folder, expected)
    # 2. `transformer.`-prefixed, no lm_head.weight
    prefixed = {"transformer." + k: v for k, v in w.items()}
    folder = os.path.join(OUT, "gpt2_prefixed")
    write_checkpoint(folder, gpt2_config(), prefixed)
    write_expected(folder, expected)
    # 3. `transformer.`-prefixed with the tied lm_head.weight stored too
    folder = os.path.join(OUT, "gpt2_prefixed_lm_head")
    write_checkpoint(folder, gpt2_config(), {**prefixed, "lm_head.weight": w["wte.weight"].clone()})
    write_expected(folder, expected)


# --------------------------------------------------------------------------------------------
# LLaMA family (llama, mistral, qwen2)
# --------------------------------------------------------------------------------------------
def llama3_scale(freqs, factor, low_freq_factor, high_freq_factor, old_context_len):
    """Meta's apply_scaling (llama3 reference code), one frequency at a time."""
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            out.append(freq)
        elif wavelen > low_freq_wavelen:
            out.append(freq / factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append((1 - smooth) * freq / factor + smooth * freq)
    return out


def rope_frequencies(cfg):
    hd = cfg["head_dim"]
    # float32 like the reference implementations, then widened
    freqs = [float(f) for f in 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))]
    rs = cfg.get("rope_scaling")
    if rs:
        kind = rs.get("rope_type", rs.get("type"))
        if kind == "llama3":
            freqs = llama3_scale(freqs, rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"],
                                 rs["original_max_position_embeddings"])
        elif kind == "linear":
            freqs = [f / rs["factor"] for f in freqs]
        else:
            raise ValueError(kind)
    return torch.tensor(freqs, dtype=torch.float64)


def rotate(x, pos, freqs):
    """HF rotate-half RoPE. x (T, hd), pos (T,)."""
    half = x.shape[-1] // 2
    ang = pos.to(torch.float64)[:, None] * freqs[None, :]  # (T, hd/2)
    cos, sin = torch.cos(ang), torch.sin(ang)
    x1, x2 = x[:, :half], x[:, half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def silu(x):
    return x / (1 + torch.exp(-x))


def llama_forward(w, cfg, ids, mask):
    x = llama_hidden(w, cfg, ids, mask)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def llama_hidden(w, cfg, ids, mask):
    """-> (B, T, d) after the final norm."""
    nh, nkv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    group = nh // nkv
    eps = cfg["rms_norm_eps"]
    freqs = rope_frequencies(cfg)
    window = cfg.get("sliding_window") if cfg["model_type"] == "mistral" else None
    pos = positions_from_mask(mask)
    x = w["model.embed_tokens.weight"][ids]
    B, T, _ = x.shape

    def lin(h, name):
        y = h @ w[name + ".weight"].T
        return y + w[name + ".bias"] if name + ".bias" in w else y

    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q, k, v = lin(h, p + "self_attn.q_proj"), lin(h, p + "self_attn.k_proj"), lin(h, p + "self_attn.v_proj")
        out = torch.zeros(B, T, nh * hd, dtype=torch.float64)
        for b in range(B):
            allowed = causal_allowed(mask[b], window)
            for head in range(nh):
                kvh = head // group  # query head -> its key/value head
                qh = rotate(q[b, :, head * hd:(head + 1) * hd], pos[b], freqs)
                kh = rotate(k[b, :, kvh * hd:(kvh + 1) * hd], pos[b], freqs)
                vh = v[b, :, kvh * hd:(kvh + 1) * hd]
                out[b, :, head * hd:(head + 1) * hd] = attend(qh, kh, vh, allowed)
        x = x + lin(out, p + "self_attn.o_proj")
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + lin(silu(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    return rms_norm(x, w["model.norm.weight"], eps)


def llama_weights(cfg, seed, qkv_bias, o_bias, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    d, nh, nkv, hd, inter = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"],
                             cfg["head_dim"], cfg["intermediate_size"])

    def rnd(*shape, std=0.3):
        return (torch.randn(*shape, generator=g) * std).to(dtype)

    w = {"model.embed_tokens.weight": rnd(cfg["vocab_size"], d, std=0.5)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "self_attn.q_proj.weight"] = rnd(nh * hd, d)
        w[p + "self_attn.k_proj.weight"] = rnd(nkv * hd, d)
        w[p + "self_attn.v_proj.weight"] = rnd(nkv * hd, d)
        w[p + "self_attn.o_proj.weight"] = rnd(d, nh * hd)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = rnd(nh * hd, std=0.1)
            w[p + "self_attn.k_proj.bias"] = rnd(nkv * hd, std=0.1)
            w[p + "self_attn.v_proj.bias"] = rnd(nkv * hd, std=0.1)
        if o_bias:
            w[p + "self_attn.o_proj.bias"] = rnd(d, std=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "mlp.gate_proj.weight"] = rnd(inter, d)
        w[p + "mlp.up_proj.weight"] = rnd(inter, d)
        w[p + "mlp.down_proj.weight"] = rnd(d, inter, std=0.2)
    w["model.norm.weight"] = 1 + rnd(d, std=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(cfg["vocab_size"], d, std=0.5)
    return w


def llama_base_config(model_type):
    return {
        "architectures": [{"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
                           "qwen2": "Qwen2ForCausalLM"}[model_type]],
        "model_type": model_type, "vocab_size": 64, "hidden_size": 16, "intermediate_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
        "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
        "initializer_range": 0.02, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False,
        "torch_dtype": "float32", "use_cache": True,
    }


def make_llama_case(name, cfg, seed, qkv_bias, o_bias, dtype=torch.float32, shards=1, stored_cfg=None):
    w = llama_weights(cfg, seed, qkv_bias, o_bias, dtype)
    w64 = as64(w)
    eos = cfg["eos_token_id"]
    eos_ids = eos if isinstance(eos, list) else [eos]

    def fwd(ids, mask):
        return llama_forward(w64, cfg, ids, mask)

    expected = causal_expected(fwd, cfg["vocab_size"], eos_ids, seed=seed + 100)
    stored = dict(stored_cfg if stored_cfg is not None else cfg)
    folder = os.path.join(OUT, name)
    write_checkpoint(folder, stored, w, shards=shards)
    write_expected(folder, expected)


def make_llamas():
    # GQA (4 query heads share 2 key/value heads, head_dim from config), default RoPE, untied head.
    cfg = llama_base_config("llama")
    cfg["attention_bias"] = False
    cfg["mlp_bias"] = False
    make_llama_case("llama_gqa", cfg, seed=2, qkv_bias=False, o_bias=False)

    # LLaMA-3 style: llama3 rope scaling (all three frequency bands hit with head_dim 8), tied
    # embeddings, attention_bias (q/k/v/o biases), eos as a list.
    cfg = llama_base_config("llama")
    cfg.update(rope_theta=10000.0, tie_word_embeddings=True, attention_bias=True, eos_token_id=[2, 3],
               rope_scaling={"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                             "original_max_position_embeddings": 64, "rope_type": "llama3"})
    make_llama_case("llama3_tied", cfg, seed=3, qkv_bias=True, o_bias=True)

    # Qwen2: q/k/v bias always (o_proj none), tied, stored in bfloat16.
    cfg = llama_base_config("qwen2")
    cfg.update(tie_word_embeddings=True, rms_norm_eps=1e-6, rope_theta=1000000.0, torch_dtype="bfloat16",
               use_sliding_window=False, sliding_window=4, max_window_layers=2)
    make_llama_case("qwen2_bf16", cfg, seed=4, qkv_bias=True, o_bias=False, dtype=torch.bfloat16)

    # Mistral: same architecture, sliding window of 4 tokens (HF: key j visible to query i iff
    # 0 <= i - j < sliding_window), sharded checkpoint with model.safetensors.index.json.
    cfg = llama_base_config("mistral")
    cfg.update(sliding_window=4)
    cfg.pop("head_dim")
    cfg.update(hidden_size=32)  # head_dim = hidden / heads = 8
    cfg["head_dim"] = 8  # for the reference only
    stored = dict(cfg)
    stored.pop("head_dim")
    make_llama_case("mistral_sharded", cfg, seed=5, qkv_bias=False, o_bias=False, shards=2, stored_cfg=stored)


# --------------------------------------------------------------------------------------------
# Decoder-only sequence classification (HF GPT2ForSequenceClassification / LlamaForSequenceClassification):
# a bias-free `score` layer on the hidden state of each row's last real token.
# --------------------------------------------------------------------------------------------
def last_real_token_logits(hidden, mask, score):
    """hidden (B, T, d), mask (B, T), score (L, d) -> (B, L). Walks each row from the end to its last 1."""
    rows = []
    for b in range(hidden.shape[0]):
        t = hidden.shape[1] - 1
        while mask[b, t] == 0:
            t -= 1
        rows.append(hidden[b, t] @ score.T)
    return torch.stack(rows)


def padded_batch(vocab, pad, seed):
    """Three rows of 7: right padding (2), left padding (3), none. Padding uses the pad id."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab - 1, (3, 7), generator=g)
    ids[ids == pad] = pad + 1
    mask = torch.ones_like(ids)
    mask[0, 5:] = 0
    mask[1, :3] = 0
    ids[mask == 0] = pad
    return ids, mask


def make_gpt2_classifier():
    cfg = gpt2_config()
    cfg.update(architectures=["GPT2ForSequenceClassification"], pad_token_id=62,
               id2label={"0": "a", "1": "b", "2": "c"}, label2id={"a": 0, "b": 1, "c": 2})
    w = gpt2_weights(seed=8)
    g = torch.Generator().manual_seed(80)
    score = (torch.randn(3, GPT2["n_embd"], generator=g) * 0.5).float()
    w64 = as64(w)
    ids, mask = padded_batch(GPT2["vocab_size"], 62, seed=81)
    logits = last_real_token_logits(gpt2_hidden(w64, ids, mask), mask, score.double())
    folder = os.path.join(OUT, "gpt2_cls")
    write_checkpoint(folder, cfg, {**{"transformer." + k: v for k, v in w.items()}, "score.weight": score})
    write_expected(folder, {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                            "shape": list(logits.shape), "logits": rounded(logits.flatten())})


def make_llama_classifier():
    cfg = llama_base_config("llama")
    cfg.update(architectures=["LlamaForSequenceClassification"], num_labels=4, pad_token_id=0,
               attention_bias=False, mlp_bias=False)
    w = llama_weights(cfg, seed=9, qkv_bias=False, o_bias=False)
    del w["lm_head.weight"]  # a saved classifier has score instead
    g = torch.Generator().manual_seed(90)
    w["score.weight"] = (torch.randn(4, cfg["hidden_size"], generator=g) * 0.5).float()
    w64 = as64(w)
    ids, mask = padded_batch(cfg["vocab_size"], 0, seed=91)
    logits = last_real_token_logits(llama_hidden(w64, cfg, ids, mask), mask, w64["score.weight"])
    folder = os.path.join(OUT, "llama_cls")
    write_checkpoint(folder, cfg, w)
    write_expected(folder, {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                            "shape": list(logits.shape), "logits": rounded(logits.flatten())})


# --------------------------------------------------------------------------------------------
# RoBERTa / BERT sequence classification
# --------------------------------------------------------------------------------------------
def encoder_weights(prefix, cfg, seed):
    g = torch.Generator().manual_seed(seed)
    d, inter = cfg["hidden_size"], cfg["intermediate_size"]

    def rnd(*shape, std=0.3):
        return (torch.randn(*shape, generator=g) * std).float()

    e = prefix + ".embeddings."
    w = {e + "word_embeddings.weight": rnd(cfg["vocab_size"], d, std=0.5),
         e + "position_embeddings.weight": rnd(cfg["max_position_embeddings"], d, std=0.2),
         e + "token_type_embeddings.weight": rnd(cfg["type_vocab_size"], d, std=0.2),
         e + "LayerNorm.weight": 1 + rnd(d, std=0.1), e + "LayerNorm.bias": rnd(d, std=0.1)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            w[p + f"attention.self.{n}.weight"] = rnd(d, d)
            w[p + f"attention.self.{n}.bias"] = rnd(d, std=0.1)
        w[p + "attention.output.dense.weight"] = rnd(d, d)
        w[p + "attention.output.dense.bias"] = rnd(d, std=0.1)
        w[p + "attention.output.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "attention.output.LayerNorm.bias"] = rnd(d, std=0.1)
        w[p + "intermediate.dense.weight"] = rnd(inter, d)
        w[p + "intermediate.dense.bias"] = rnd(inter, std=0.1)
        w[p + "output.dense.weight"] = rnd(d, inter, std=0.2)
        w[p + "output.dense.bias"] = rnd(d, std=0.1)
        w[p + "output.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "output.LayerNorm.bias"] = rnd(d, std=0.1)
    return w, rnd


def encoder_forward(w, prefix, cfg, ids, mask, token_types, positions):
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // nh
    eps = cfg["layer_norm_eps"]
    e = prefix + ".embeddings."

    def lin(h, name):
        return h @ w[name + ".weight"].T + w[name + ".bias"]

    x = w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][positions] \
        + w[e + "token_type_embeddings.weight"][token_types]
    x = layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps)
    B, T, _ = x.shape
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}.encoder.layer.{i}."
        q, k, v = (lin(x, p + f"attention.self.{n}") for n in ("query", "key", "value"))
        ctx = torch.zeros_like(x)
        for b in range(B):
            allowed = (mask[b] == 1)[None, :].expand(T, T)  # bidirectional, padding keys hidden
            for head in range(nh):
                sl = slice(head * hd, (head + 1) * hd)
                ctx[b, :, sl] = attend(q[b, :, sl], k[b, :, sl], v[b, :, sl], allowed)
        x = layer_norm(lin(ctx, p + "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu_erf(lin(x, p + "intermediate.dense"))
        x = layer_norm(lin(h, p + "output.dense") + x, w[p + "output.LayerNorm.weight"],
                       w[p + "output.LayerNorm.bias"], eps)
    return x


def encoder_config(model_type, **extra):
    cfg = {"model_type": model_type, "vocab_size": 64, "hidden_size": 16, "num_hidden_layers": 2,
           "num_attention_heads": 4, "intermediate_size": 32, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
           "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "position_embedding_type": "absolute",
           "classifier_dropout": None, "torch_dtype": "float32", "use_cache": True}
    cfg.update(extra)
    return cfg


def make_roberta():
    pad = 1
    cfg = encoder_config("roberta", architectures=["RobertaForSequenceClassification"], max_position_embeddings=20,
                         type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=pad, bos_token_id=0, eos_token_id=2,
                         id2label={"0": "negative", "1": "neutral", "2": "positive"},
                         label2id={"negative": 0, "neutral": 1, "positive": 2})
    w, rnd = encoder_weights("roberta", cfg, seed=6)
    d = cfg["hidden_size"]
    w["classifier.dense.weight"] = rnd(d, d)
    w["classifier.dense.bias"] = rnd(d, std=0.1)
    w["classifier.out_proj.weight"] = rnd(3, d)
    w["classifier.out_proj.bias"] = rnd(3, std=0.1)
    w64 = as64(w)
    ids = torch.tensor([[0, 5, 17, 33, 9, 2, pad, pad], [0, 40, 7, 2, 2, 11, 60, 2]])  # right padding in row 0
    mask = (ids != pad).long()
    not_pad = (ids != pad).long()
    positions = torch.cumsum(not_pad, dim=1) * not_pad + pad  # RoBERTa: real tokens count from pad + 1
    h = encoder_forward(w64, "roberta", cfg, ids, mask, torch.zeros_like(ids), positions)
    x = torch.tanh(h[:, 0] @ w64["classifier.dense.weight"].T + w64["classifier.dense.bias"])
    logits = x @ w64["classifier.out_proj.weight"].T + w64["classifier.out_proj.bias"]
    folder = os.path.join(OUT, "roberta_cls")
    # real RoBERTa checkpoints carry the position_ids buffer: it must be ignored silently
    w["roberta.embeddings.position_ids"] = torch.arange(cfg["max_position_embeddings"]).view(1, -1)
    write_checkpoint(folder, cfg, w)
    write_expected(folder, {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                            "shape": list(logits.shape), "logits": rounded(logits.flatten())})


def make_bert():
    cfg = encoder_config("bert", architectures=["BertForSequenceClassification"], max_position_embeddings=16,
                         type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0,
                         id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0}, problem_type="regression")
    w, rnd = encoder_weights("bert", cfg, seed=7)
    d = cfg["hidden_size"]
    w["bert.pooler.dense.weight"] = rnd(d, d)
    w["bert.pooler.dense.bias"] = rnd(d, std=0.1)
    w["classifier.weight"] = rnd(1, d)
    w["classifier.bias"] = rnd(1, std=0.1)
    w64 = as64(w)
    # [CLS]=2 a b [SEP]=3 c d [SEP] (pairs with token_type_ids), row 1 padded on the right
    ids = torch.tensor([[2, 10, 11, 3, 20, 21, 22, 3], [2, 30, 3, 40, 41, 3, 0, 0]])
    types = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 0, 0]])
    mask = (ids != 0).long()
    positions = torch.arange(ids.shape[1])[None, :].expand_as(ids)
    h = encoder_forward(w64, "bert", cfg, ids, mask, types, positions)
    pooled = torch.tanh(h[:, 0] @ w64["bert.pooler.dense.weight"].T + w64["bert.pooler.dense.bias"])
    logits = pooled @ w64["classifier.weight"].T + w64["classifier.bias"]
    folder = os.path.join(OUT, "bert_cls")
    write_checkpoint(folder, cfg, w)
    write_expected(folder, {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                            "token_type_ids": types.tolist(), "shape": list(logits.shape),
                            "logits": rounded(logits.flatten())})


# --------------------------------------------------------------------------------------------
# DeBERTa-v2 / v3 sequence classification (He et al. 2021, "DeBERTa: Decoding-enhanced BERT with
# Disentangled Attention" and DeBERTa-v3; HF DebertaV2ForSequenceClassification's configuration).
# Written element by element: every (query, key) pair gets its relative bucket, content->position
# and position->content terms from the formulas of the paper / the published code.
# --------------------------------------------------------------------------------------------
def deberta_bucket(distance, buckets, max_position):
    """Relative distance -> bucket. Distances within +-buckets/2 are kept; longer ones are compressed
    logarithmically. Evaluated in float32 as the published code does (the ceiling decides the bucket);
    the float64 value must give the same bucket, so the fixture does not sit on a rounding edge."""
    if buckets <= 0:
        return distance
    mid = buckets // 2
    if abs(distance) <= mid:
        return distance
    f32 = torch.float32
    ratio = torch.tensor(abs(distance), dtype=f32) / mid
    value = torch.log(ratio) / torch.log(torch.tensor((max_position - 1) / mid, dtype=f32)) * (mid - 1)
    log_pos = int(torch.ceil(value)) + mid
    exact = math.ceil(math.log(abs(distance) / mid) / math.log((max_position - 1) / mid) * (mid - 1)) + mid
    assert exact == log_pos, f"bucket of {distance} is on a float32 rounding edge; change the sizes"
    return log_pos if distance > 0 else -log_pos


def deberta_forward(w, cfg, ids, mask, types):
    """-> logits (B, num_labels). w: float64 weights with HF names."""
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // nh
    eps = cfg["layer_norm_eps"]
    terms = cfg["pos_att_type"]
    if isinstance(terms, str):
        terms = [t.strip() for t in terms.split("|")]
    scale = math.sqrt(hd * (1 + len([t for t in terms if t in ("c2p", "p2c")])))
    max_rel = cfg.get("max_relative_positions", -1)
    if max_rel < 1:
        max_rel = cfg["max_position_embeddings"]
    buckets = cfg.get("position_buckets", -1)
    span = buckets if buckets > 0 else max_rel
    act = {"gelu": gelu_erf, "tanh": torch.tanh}

    def lin(h, name):
        y = h @ w[name + ".weight"].T
        return y + w[name + ".bias"] if name + ".bias" in w else y

    B, T = ids.shape
    e = "deberta.embeddings."
    x = w[e + "word_embeddings.weight"][ids]
    if cfg.get("position_biased_input", True):
        x = x + w[e + "position_embeddings.weight"][torch.arange(T)][None]
    if cfg.get("type_vocab_size", 0) > 0:
        x = x + w[e + "token_type_embeddings.weight"][types]
    if e + "embed_proj.weight" in w:
        x = x @ w[e + "embed_proj.weight"].T
    x = layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps)
    x = x * mask[:, :, None]
    embedded = x

    rel = w["deberta.encoder.rel_embeddings.weight"]  # (2 span, d)
    if cfg.get("norm_rel_ebd", "none") == "layer_norm":
        rel = layer_norm(rel, w["deberta.encoder.LayerNorm.weight"], w["deberta.encoder.LayerNorm.bias"], eps)

    def row(i, j):  # relative embedding row for query position i, key position j
        return min(max(deberta_bucket(i - j, buckets, max_rel) + span, 0), 2 * span - 1)

    for layer in range(cfg["num_hidden_layers"]):
        p = f"deberta.encoder.layer.{layer}."
        a = p + "attention.self."
        q, k, v = lin(x, a + "query_proj"), lin(x, a + "key_proj"), lin(x, a + "value_proj")
        if cfg.get("share_att_key", False):
            pos_k, pos_q = lin(rel, a + "key_proj"), lin(rel, a + "query_proj")
        else:
            pos_k = lin(rel, a + "pos_key_proj") if "c2p" in terms else None
            pos_q = lin(rel, a + "pos_query_proj") if "p2c" in terms else None
        ctx = torch.zeros_like(x)
        for b in range(B):
            for h in range(nh):
                sl = slice(h * hd, (h + 1) * hd)
                scores = torch.zeros(T, T, dtype=torch.float64)
                for i in range(T):
                    for j in range(T):
                        s = q[b, i, sl] @ k[b, j, sl]
                        if "c2p" in terms:  # content of query i -> relative position of key j
                            s = s + q[b, i, sl] @ pos_k[row(i, j), sl]
                        if "p2c" in terms:  # relative position of query i seen from key j -> content of key j
                            r = min(max(-deberta_bucket(j - i, buckets, max_rel) + span, 0), 2 * span - 1)
                            s = s + k[b, j, sl] @ pos_q[r, sl]
                        scores[i, j] = s / scale
                allowed = (mask[b][:, None] == 1) & (mask[b][None, :] == 1)  # padding rows and columns out
                probs = torch.nan_to_num(torch.softmax(scores.masked_fill(~allowed, float("-inf")), -1), nan=0.0)
                ctx[b, :, sl] = probs @ v[b, :, sl]
        x = layer_norm(lin(ctx, p + "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h1 = act[cfg["hidden_act"]](lin(x, p + "intermediate.dense"))
        x = layer_norm(lin(h1, p + "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        if layer == 0 and cfg.get("conv_kernel_size", 0) > 0:
            ksz = cfg["conv_kernel_size"]
            cw, cb = w["deberta.encoder.conv.conv.weight"], w["deberta.encoder.conv.conv.bias"]  # (d, d, k), (d,)
            out = torch.zeros_like(x)
            for b in range(B):
                for t in range(T):
                    acc = cb.clone()
                    for kk in range(ksz):
                        src = t + kk - (ksz - 1) // 2
                        if 0 <= src < T:
                            acc = acc + cw[:, :, kk] @ embedded[b, src]
                    out[b, t] = acc if mask[b, t] == 1 else 0
            out = act[cfg.get("conv_act", "tanh")](out)
            x = layer_norm(x + out, w["deberta.encoder.conv.LayerNorm.weight"], w["deberta.encoder.conv.LayerNorm.bias"], eps)
            x = x * mask[:, :, None]
    pooled = act[cfg.get("pooler_hidden_act", "gelu")](lin(x[:, 0], "pooler.dense"))
    return lin(pooled, "classifier")


def deberta_weights(cfg, seed, num_labels):
    g = torch.Generator().manual_seed(seed)
    d, inter = cfg["hidden_size"], cfg["intermediate_size"]
    emb = cfg.get("embedding_size", d)
    terms = cfg["pos_att_type"]
    terms = [t.strip() for t in terms.split("|")] if isinstance(terms, str) else terms
    buckets = cfg.get("position_buckets", -1)
    max_rel = cfg.get("max_relative_positions", -1)
    span = buckets if buckets > 0 else (max_rel if max_rel >= 1 else cfg["max_position_embeddings"])

    def rnd(*shape, std=0.3):
        return (torch.randn(*shape, generator=g) * std).float()

    e = "deberta.embeddings."
    w = {e + "word_embeddings.weight": rnd(cfg["vocab_size"], emb, std=0.5),
         e + "LayerNorm.weight": 1 + rnd(d, std=0.1), e + "LayerNorm.bias": rnd(d, std=0.1)}
    if cfg.get("position_biased_input", True):
        w[e + "position_embeddings.weight"] = rnd(cfg["max_position_embeddings"], emb, std=0.2)
    if cfg.get("type_vocab_size", 0) > 0:
        w[e + "token_type_embeddings.weight"] = rnd(cfg["type_vocab_size"], emb, std=0.3)
    if emb != d:
        w[e + "embed_proj.weight"] = rnd(d, emb)
    w["deberta.encoder.rel_embeddings.weight"] = rnd(2 * span, d, std=0.5)
    if cfg.get("norm_rel_ebd", "none") == "layer_norm":
        w["deberta.encoder.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w["deberta.encoder.LayerNorm.bias"] = rnd(d, std=0.1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"deberta.encoder.layer.{i}."
        names = ["query_proj", "key_proj", "value_proj"]
        if not cfg.get("share_att_key", False):
            names += (["pos_key_proj"] if "c2p" in terms else []) + (["pos_query_proj"] if "p2c" in terms else [])
        for n in names:
            w[p + f"attention.self.{n}.weight"] = rnd(d, d)
            w[p + f"attention.self.{n}.bias"] = rnd(d, std=0.1)
        w[p + "attention.output.dense.weight"] = rnd(d, d)
        w[p + "attention.output.dense.bias"] = rnd(d, std=0.1)
        w[p + "attention.output.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "attention.output.LayerNorm.bias"] = rnd(d, std=0.1)
        w[p + "intermediate.dense.weight"] = rnd(inter, d)
        w[p + "intermediate.dense.bias"] = rnd(inter, std=0.1)
        w[p + "output.dense.weight"] = rnd(d, inter, std=0.2)
        w[p + "output.dense.bias"] = rnd(d, std=0.1)
        w[p + "output.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w[p + "output.LayerNorm.bias"] = rnd(d, std=0.1)
    if cfg.get("conv_kernel_size", 0) > 0:
        w["deberta.encoder.conv.conv.weight"] = rnd(d, d, cfg["conv_kernel_size"], std=0.2)
        w["deberta.encoder.conv.conv.bias"] = rnd(d, std=0.1)
        w["deberta.encoder.conv.LayerNorm.weight"] = 1 + rnd(d, std=0.1)
        w["deberta.encoder.conv.LayerNorm.bias"] = rnd(d, std=0.1)
    w["pooler.dense.weight"] = rnd(d, d)
    w["pooler.dense.bias"] = rnd(d, std=0.1)
    w["classifier.weight"] = rnd(num_labels, d)
    w["classifier.bias"] = rnd(num_labels, std=0.1)
    return w


def deberta_case(name, w64, cfg, ids, mask, types=None):
    types = torch.zeros_like(ids) if types is None else types
    logits = deberta_forward(w64, cfg, ids, mask.double(), types)
    case = {"name": name, "input_ids": ids.tolist(), "attention_mask": mask.tolist(), "shape": list(logits.shape),
            "logits": rounded(logits.flatten())}
    if types is not None:
        case["token_type_ids"] = types.tolist()
    return case


def make_deberta_v3():
    """v3-shaped: log buckets (8 here, 256 in v3), max_relative_positions from max_position_embeddings (12, so
    the 26-token pair is clamped), shared attention keys, p2c+c2p, LayerNorm on the relative embeddings, no
    absolute positions, no token types. The vocabulary is the tokenizer fixture's (deberta-v3-tiny, 401)."""
    cfg = {"model_type": "deberta-v2", "architectures": ["DebertaV2ForSequenceClassification"], "vocab_size": 401,
           "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 32,
           "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
           "max_position_embeddings": 12, "type_vocab_size": 0, "initializer_range": 0.02, "layer_norm_eps": 1e-7,
           "relative_attention": True, "max_relative_positions": -1, "position_buckets": 8, "pad_token_id": 0,
           "position_biased_input": False, "pos_att_type": ["p2c", "c2p"], "share_att_key": True,
           "norm_rel_ebd": "layer_norm", "pooler_dropout": 0, "pooler_hidden_act": "gelu", "pooler_hidden_size": 16,
           "id2label": {"0": "entailment", "1": "neutral", "2": "contradiction"},
           "label2id": {"entailment": 0, "neutral": 1, "contradiction": 2}, "torch_dtype": "float32"}
    w = deberta_weights(cfg, seed=12, num_labels=3)
    w64 = as64(w)
    g = torch.Generator().manual_seed(120)
    # [CLS]=1 ... [SEP]=2, right padding with [PAD]=0; row 0 is 14 long (distances beyond the buckets' range)
    ids = torch.randint(5, 400, (3, 14), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    mask[2, 5:] = 0
    for b, n in enumerate((14, 9, 5)):
        ids[b, 0], ids[b, n - 1] = 1, 2
    ids[mask == 0] = 0
    cases = [deberta_case("single_padded", w64, cfg, ids, mask)]
    tok = json.load(open(os.path.join(OUT, "..", "tokenization", "deberta-v3-tiny", "expected.json")))
    pair = tok["pairs"][0]  # [CLS] first [SEP] second [SEP] as the HF tokenizer encodes it
    pair_ids = torch.tensor([pair["ids"]])
    cases.append(deberta_case("tokenizer_pair", w64, cfg, pair_ids, torch.ones_like(pair_ids), torch.tensor([pair["type_ids"]])))
    cases[-1].update(first=pair["first"], second=pair["second"])
    folder = os.path.join(OUT, "deberta_v3_cls")
    # v3 checkpoints may still carry absolute position embeddings and the position_ids buffer: both ignored
    stored = dict(w)
    stored["deberta.embeddings.position_embeddings.weight"] = torch.zeros(12, 16)
    stored["deberta.embeddings.position_ids"] = torch.arange(12).view(1, -1)
    write_checkpoint(folder, cfg, stored)
    write_expected(folder, {"cases": cases})


def make_deberta_v2_conv():
    """v2-style: ConvLayer (kernel 3, gelu), separate pos_key_proj / pos_query_proj, legacy "c2p|p2c" string,
    no buckets (distances clamped at max_relative_positions 4), absolute positions, token types, embedding_size
    12 projected to 16, tanh pooler, two labels from num_labels."""
    cfg = {"model_type": "deberta-v2", "vocab_size": 64, "hidden_size": 16, "num_hidden_layers": 2,
           "num_attention_heads": 4, "intermediate_size": 32, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
           "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 16, "type_vocab_size": 2,
           "initializer_range": 0.02, "layer_norm_eps": 1e-7, "relative_attention": True, "max_relative_positions": 4,
           "pad_token_id": 0, "position_biased_input": True, "pos_att_type": "c2p|p2c", "share_att_key": False,
           "embedding_size": 12, "conv_kernel_size": 3, "conv_act": "gelu", "pooler_hidden_act": "tanh",
           "num_labels": 2, "torch_dtype": "float32"}
    w = deberta_weights(cfg, seed=13, num_labels=2)
    w64 = as64(w)
    # [CLS]=1 a [SEP]=2 b [SEP], second segment type 1, row 1 padded on the right
    ids = torch.tensor([[1, 10, 11, 12, 2, 20, 21, 22, 23, 2], [1, 30, 31, 2, 40, 41, 2, 0, 0, 0]])
    types = torch.tensor([[0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]])
    mask = (ids != 0).long()
    single = torch.tensor([[1, 5, 6, 7, 8, 9, 2, 0], [1, 50, 2, 0, 0, 0, 0, 0]])
    cases = [deberta_case("pairs_padded", w64, cfg, ids, mask, types),
             deberta_case("single_padded", w64, cfg, single, (single != 0).long())]
    folder = os.path.join(OUT, "deberta_v2_conv_cls")
    write_checkpoint(folder, cfg, w)
    write_expected(folder, {"cases": cases})


def make_deberta_v3_c2p():
    """deberta_v3_cls's shape with one relative term: pos_att_type ["c2p"] only, so the score scale is
    sqrt(head_dim * 2) (3 with c2p and p2c), and share_att_key false with only a pos_key_proj (no
    pos_query_proj) in the checkpoint. Log buckets, LayerNorm on the relative embeddings, no absolute positions."""
    cfg = {"model_type": "deberta-v2", "architectures": ["DebertaV2ForSequenceClassification"], "vocab_size": 401,
           "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 32,
           "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
           "max_position_embeddings": 12, "type_vocab_size": 0, "initializer_range": 0.02, "layer_norm_eps": 1e-7,
           "relative_attention": True, "max_relative_positions": -1, "position_buckets": 8, "pad_token_id": 0,
           "position_biased_input": False, "pos_att_type": ["c2p"], "share_att_key": False,
           "norm_rel_ebd": "layer_norm", "pooler_dropout": 0, "pooler_hidden_act": "gelu", "pooler_hidden_size": 16,
           "id2label": {"0": "entailment", "1": "neutral", "2": "contradiction"},
           "label2id": {"entailment": 0, "neutral": 1, "contradiction": 2}, "torch_dtype": "float32"}
    w = deberta_weights(cfg, seed=14, num_labels=3)
    assert not any("pos_query_proj" in n for n in w) and any("pos_key_proj" in n for n in w)
    w64 = as64(w)
    g = torch.Generator().manual_seed(140)
    ids = torch.randint(5, 400, (3, 14), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    mask[2, 6:] = 0
    for b, n in enumerate((14, 10, 6)):
        ids[b, 0], ids[b, n - 1] = 1, 2
    ids[mask == 0] = 0
    cases = [deberta_case("single_padded", w64, cfg, ids, mask)]
    folder = os.path.join(OUT, "deberta_v3_c2p_cls")
    write_checkpoint(folder, cfg, w)
    write_expected(folder, {"cases": cases})


if __name__ == "__main__":
    # No arguments: every fixture. Otherwise only the named builders, e.g. `make_deberta_v3_c2p`.
    import sys
    torch.set_grad_enabled(False)
    builders = [make_gpt2, make_llamas, make_roberta, make_bert, make_gpt2_classifier, make_llama_classifier,
                make_deberta_v3, make_deberta_v2_conv, make_deberta_v3_c2p]
    chosen = sys.argv[1:] or [b.__name__ for b in builders]
    unknown = set(chosen) - {b.__name__ for b in builders}
    assert not unknown, f"unknown builders {sorted(unknown)}; choose from {[b.__name__ for b in builders]}"
    for b in builders:
        if b.__name__ in chosen:
            b()
    for case in sorted(os.listdir(OUT)):
        folder = os.path.join(OUT, case)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"{case:24s} {size / 1024:6.1f} KB")
