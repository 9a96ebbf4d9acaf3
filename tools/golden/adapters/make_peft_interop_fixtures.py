#!/usr/bin/python3
"""Golden fixtures for adapter interoperability with HuggingFace PEFT 0.20.

PEFT cannot be installed here, so this script writes adapter folders exactly as PEFT 0.20.0 writes them, from
reading its source (written from scratch here, nothing copied):

* adapter_config.json: `PeftModel.save_pretrained` -> `PeftConfig.save_pretrained` writes `asdict(LoraConfig)`
  (every dataclass field of PeftConfigMixin, PeftConfig and LoraConfig; `LoraConfig.to_dict` drops
  `runtime_config`) with `inference_mode` switched to true, sets turned into lists, `json.dumps(indent=2,
  sort_keys=True)`. `PeftModelForSequenceClassification` appends "classifier" and "score" to `modules_to_save`.
* adapter_model.safetensors: `get_peft_model_state_dict` for LORA in 0.20.0 keeps the model state-dict keys that
  contain "lora_" (bias="none"), or "lora_" or "bias" (bias="all": every bias, an adapted layer's as
  "<module>.base_layer.bias", and the ModulesToSaveWrapper's "original_module" / "modules_to_save.default" copies);
  for bias="lora_only" 0.20.0 looks for "<module>.bias", which does not exist since the base layer moved to
  "<module>.base_layer", so it saves no bias at all (PEFT's main branch, after its state-dict refactor, saves
  "<module>.base_layer.bias"). Modules to save are added unwrapped ("classifier.dense.weight"), the adapter name is
  removed from the keys ("lora_A.default.weight" -> "lora_A.weight"), and everything is prefixed "base_model.model.".
* Which modules get LoRA: `check_target_module_exists` (exclusion of modules_to_save, exact or ".name" suffix match,
  then `layers_to_transform` / `layers_pattern` on the index after the first "<segment>." or after "<pattern>.").
* lora_bias: `lora_B` is an `nn.Linear(r, out, bias=True)`; merging adds `lora_B.bias * scaling` to the base bias.

The expected outputs merge every adapter by hand (W + s*B@A, transposed for GPT-2's Conv1D; bias + s*b_B; trained
biases and heads replaced) and run the independent float64 reference architectures of
tools/golden/models/make_model_fixtures.py on the committed base fixtures.

Run with Debian's python3-torch:  /usr/bin/python3 tools/golden/adapters/make_peft_interop_fixtures.py
Writes tests/PeftSharp.Tests/fixtures/adapters/peft/<case>/ (adapter_config.json, adapter_model.safetensors,
expected.json).
"""
import importlib.util
import json
import math
import os
import re
import shutil
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
MODELS = os.path.join(ROOT, "tests", "PeftSharp.Tests", "fixtures", "models")
OUT = os.path.join(ROOT, "tests", "PeftSharp.Tests", "fixtures", "adapters", "peft")
PEFT_VERSION = "0.20.0"

_spec = importlib.util.spec_from_file_location("models", os.path.join(ROOT, "tools", "golden", "models", "make_model_fixtures.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def read_safetensors(path):
    """name -> tensor for the F32/I64/BF16 tensors of a safetensors file (format: u64 header size, JSON header, data)."""
    dtypes = {"F32": torch.float32, "I64": torch.int64, "BF16": torch.bfloat16}
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtypes[info["dtype"]]).reshape(info["shape"]).clone()
    return out


# --------------------------------------------------------------------------------------------
# adapter_config.json as PEFT 0.20.0 writes a LoraConfig
# --------------------------------------------------------------------------------------------
def peft_lora_config(task_type, **fields):
    config = {
        # PeftConfigMixin and PeftConfig
        "auto_mapping": None, "base_model_name_or_path": "tiny-base", "inference_mode": True, "peft_type": "LORA",
        "peft_version": PEFT_VERSION, "revision": None, "task_type": task_type,
        # LoraConfig, in declaration order, with their defaults
        "r": 8, "target_modules": None, "exclude_modules": None, "lora_alpha": 8, "lora_dropout": 0.0,
        "fan_in_fan_out": False, "bias": "none", "use_rslora": False, "modules_to_save": None, "init_lora_weights": True,
        "layers_to_transform": None, "layers_pattern": None, "rank_pattern": {}, "alpha_pattern": {},
        "megatron_config": None, "megatron_core": "megatron.core", "trainable_token_indices": None, "loftq_config": {},
        "eva_config": None, "corda_config": None, "lora_ga_config": None, "use_dora": False, "velora_config": None,
        "alora_invocation_tokens": None, "use_qalora": False, "qalora_group_size": 16, "monteclora_config": None,
        "layer_replication": None, "lora_bias": False, "target_parameters": None, "use_bdlora": None,
        "arrow_config": None, "ensure_weight_tying": False,
    }
    unknown = set(fields) - set(config)
    assert not unknown, f"not LoraConfig fields: {unknown}"
    config.update(fields)
    if task_type == "SEQ_CLS":  # PeftModelForSequenceClassification.__init__
        config["modules_to_save"] = (config["modules_to_save"] or []) + ["classifier", "score"]
    return config


def write_config(folder, config):
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        f.write(json.dumps(config, indent=2, sort_keys=True))


# --------------------------------------------------------------------------------------------
# PEFT's module selection (check_target_module_exists)
# --------------------------------------------------------------------------------------------
def layer_index(key, layers_pattern):
    patterns = [layers_pattern] if isinstance(layers_pattern, str) else (layers_pattern or [])
    if not patterns:
        m = re.match(r".*?\.[^.]*\.(\d+)\.", key)
        return int(m.group(1)) if m else None
    for pattern in patterns:
        m = re.match(rf".*?\.{pattern}\.(\d+)\.", key)
        if m:
            return int(m.group(1))
    return None


def peft_targets(module_paths, config):
    chosen = []
    for key in module_paths:
        if any(re.match(rf"(^|.*\.){m}($|\..*)", key) for m in config["modules_to_save"] or []):
            continue
        if key in config["target_modules"]:
            chosen.append(key)
            continue
        if not any(key.endswith("." + t) for t in config["target_modules"]):
            continue
        layers = config["layers_to_transform"]
        if layers is not None and (not isinstance(layers, list) or layers):
            index = layer_index(key, config["layers_pattern"])
            if index is None or index not in (layers if isinstance(layers, list) else [layers]):
                continue
        chosen.append(key)
    return chosen


def linear_paths(weights):
    """Module paths of the 2-D weights that are linear (or Conv1D) layers, not embeddings."""
    return sorted(k[:-len(".weight")] for k, v in weights.items()
                  if k.endswith(".weight") and v.dim() == 2 and "embed" not in k and k.split(".")[-2] not in ("wte", "wpe"))


# --------------------------------------------------------------------------------------------
# A "trained" adapter, its file and the merged weights
# --------------------------------------------------------------------------------------------
def make_adapter(base, config, g, conv1d=False):
    """Random LoRA factors (B nonzero, as after training) per targeted module: path -> (A, B, b_B or None, scaling)."""
    r, alpha = config["r"], config["lora_alpha"]
    scaling = alpha / math.sqrt(r) if config["use_rslora"] else alpha / r
    adapters = {}
    for path in peft_targets(linear_paths(base), config):
        w = base[path + ".weight"]
        out_features, in_features = (w.shape[1], w.shape[0]) if conv1d else w.shape
        a = (torch.randn(r, in_features, generator=g) * 0.3).float()
        b = (torch.randn(out_features, r, generator=g) * 0.3).float()
        b_bias = (torch.randn(out_features, generator=g) * 0.2).float() if config["lora_bias"] else None
        adapters[path] = (a, b, b_bias, scaling)
    assert adapters, "no module targeted"
    return adapters


def trained_biases(base, paths, g):
    return {p: (base[p] + torch.randn(base[p].shape, generator=g) * 0.2).float() for p in paths}


def merge(base, adapters, biases, head, conv1d=False):
    """float64 weights of the model PEFT computes: base + s*B@A (+ s*b_B), trained biases and head."""
    w = {k: v.double() for k, v in base.items()}
    w.update({k: v.double() for k, v in {**biases, **head}.items()})
    for path, (a, b, b_bias, s) in adapters.items():
        delta = s * (b.double() @ a.double())
        w[path + ".weight"] = w[path + ".weight"] + (delta.T if conv1d else delta)
        if b_bias is not None:
            w[path + ".bias"] = w[path + ".bias"] + s * b_bias.double()
    return w


def peft_state_dict(config, adapters, biases, head, wrapped_head_base, main_branch_lora_only=False):
    """The tensors of adapter_model.safetensors, keyed as PEFT 0.20.0 keys them (see the module docstring); with
    main_branch_lora_only, bias="lora_only" saves the adapted layers' biases as PEFT's main branch does."""
    out = {}
    for path, (a, b, b_bias, _) in adapters.items():
        out[f"{path}.lora_A.weight"] = a
        out[f"{path}.lora_B.weight"] = b
        if b_bias is not None:
            out[f"{path}.lora_B.bias"] = b_bias
    if config["bias"] == "all":  # every state-dict key containing "bias"
        for key, value in biases.items():
            module = key[:-len(".bias")]
            if module in adapters:
                out[module + ".base_layer.bias"] = value
            elif key in head:  # the wrapped head: PEFT keeps both wrapper copies too
                head_module, rest = key.split(".", 1)
                out[f"{head_module}.original_module.{rest}"] = wrapped_head_base[key]
                out[f"{head_module}.modules_to_save.default.{rest}"] = value
            else:
                out[key] = value
    elif config["bias"] == "lora_only" and main_branch_lora_only:
        for path in adapters:
            out[path + ".base_layer.bias"] = biases[path + ".bias"]
    out.update(head)
    return {"base_model.model." + k: v.contiguous() for k, v in out.items()}


def write_case(name, config, tensors, expected):
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    write_config(folder, config)
    ref.write_safetensors(os.path.join(folder, "adapter_model.safetensors"), tensors)
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))


def load_base(model):
    return read_safetensors(os.path.join(MODELS, model, "model.safetensors")), \
        json.load(open(os.path.join(MODELS, model, "config.json"))), \
        json.load(open(os.path.join(MODELS, model, "expected.json")))


def classifier_expected(model, logits, inputs):
    return {"model": model, **inputs, "shape": list(logits.shape), "logits": ref.rounded(logits.flatten())}


# --------------------------------------------------------------------------------------------
# Sequence classification: RoBERTa (bias="all"), BERT (lora_bias, layers_to_transform, rsLoRA), DeBERTa-v3 (lora_only)
# --------------------------------------------------------------------------------------------
def make_roberta_bias_all():
    base, cfg, exp = load_base("roberta_cls")
    base = {k: v for k, v in base.items() if k != "roberta.embeddings.position_ids"}
    config = peft_lora_config("SEQ_CLS", r=2, lora_alpha=4, target_modules=["query", "value"], bias="all")
    g = torch.Generator().manual_seed(1801)
    adapters = make_adapter(base, config, g)
    head_paths = [k for k in base if k.startswith("classifier.")]
    biases = trained_biases(base, [k for k in base if k.endswith(".bias")], g)
    head = {k: (biases[k] if k in biases else (base[k] + torch.randn(base[k].shape, generator=g) * 0.3).float()) for k in head_paths}
    w = merge(base, adapters, biases, head)
    ids, mask = torch.tensor(exp["input_ids"]), torch.tensor(exp["attention_mask"])
    pad = cfg["pad_token_id"]
    not_pad = (ids != pad).long()
    h = ref.encoder_forward(w, "roberta", cfg, ids, mask, torch.zeros_like(ids), torch.cumsum(not_pad, 1) * not_pad + pad)
    x = torch.tanh(h[:, 0] @ w["classifier.dense.weight"].T + w["classifier.dense.bias"])
    logits = x @ w["classifier.out_proj.weight"].T + w["classifier.out_proj.bias"]
    tensors = peft_state_dict(config, adapters, biases, head, base)
    write_case("roberta_seq_cls_bias_all", config, tensors, classifier_expected("roberta_cls", logits, {"input_ids": exp["input_ids"], "attention_mask": exp["attention_mask"]}))


def make_bert_lora_bias_layers():
    base, cfg, exp = load_base("bert_cls")
    # "dense" also names bert.pooler.dense, which has no layer index and so is not adapted
    config = peft_lora_config("SEQ_CLS", r=2, lora_alpha=3, use_rslora=True, target_modules=["query", "dense"],
                              layers_to_transform=[1], lora_bias=True)
    g = torch.Generator().manual_seed(1802)
    adapters = make_adapter(base, config, g)
    assert sorted(adapters) == ["bert.encoder.layer.1.attention.output.dense", "bert.encoder.layer.1.attention.self.query",
                                "bert.encoder.layer.1.intermediate.dense", "bert.encoder.layer.1.output.dense"], sorted(adapters)
    head = {k: (base[k] + torch.randn(base[k].shape, generator=g) * 0.3).float() for k in ("classifier.weight", "classifier.bias")}
    w = merge(base, adapters, {}, head)
    ids, mask, types = (torch.tensor(exp[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
    h = ref.encoder_forward(w, "bert", cfg, ids, mask, types, torch.arange(ids.shape[1])[None, :].expand_as(ids))
    pooled = torch.tanh(h[:, 0] @ w["bert.pooler.dense.weight"].T + w["bert.pooler.dense.bias"])
    logits = pooled @ w["classifier.weight"].T + w["classifier.bias"]
    tensors = peft_state_dict(config, adapters, {}, head, base)
    inputs = {k: exp[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    write_case("bert_seq_cls_lora_bias_layer_1", config, tensors, classifier_expected("bert_cls", logits, inputs))


def make_deberta_lora_only():
    """Two folders: the biases as PEFT's main branch saves them, and none, as PEFT 0.20.0 saves lora_only."""
    base, cfg, exp = load_base("deberta_v3_cls")
    base = {k: v for k, v in base.items() if k not in ("deberta.embeddings.position_ids", "deberta.embeddings.position_embeddings.weight")}
    g = torch.Generator().manual_seed(1803)
    config = peft_lora_config("SEQ_CLS", r=4, lora_alpha=8, target_modules=["query_proj", "key_proj", "value_proj"], bias="lora_only")
    adapters = make_adapter(base, config, g)
    biases = trained_biases(base, [p + ".bias" for p in adapters], g)
    head = {k: (base[k] + torch.randn(base[k].shape, generator=g) * 0.3).float() for k in ("classifier.weight", "classifier.bias")}
    case = exp["cases"][0]
    ids, mask = torch.tensor(case["input_ids"]), torch.tensor(case["attention_mask"])
    inputs = {"input_ids": case["input_ids"], "attention_mask": case["attention_mask"]}
    for name, saved_biases in (("deberta_seq_cls_lora_only", biases), ("deberta_seq_cls_lora_only_peft_0_20", {})):
        logits = ref.deberta_forward(merge(base, adapters, saved_biases, head), cfg, ids, mask.double(), torch.zeros_like(ids))
        tensors = peft_state_dict(config, adapters, biases, head, base, main_branch_lora_only=bool(saved_biases))
        write_case(name, config, tensors, classifier_expected("deberta_v3_cls", logits, inputs))


# --------------------------------------------------------------------------------------------
# Causal LMs: GPT-2 (Conv1D, layers_pattern "h", lora_bias), LLaMA (layers_to_transform as one int)
# --------------------------------------------------------------------------------------------
def causal_expected(model, forward, exp):
    cases = []
    for case in exp["cases"]:
        ids, mask = torch.tensor(case["input_ids"]), torch.tensor(case["attention_mask"])
        logits = forward(ids, mask)
        cases.append({"name": case["name"], "input_ids": case["input_ids"], "attention_mask": case["attention_mask"],
                      "shape": list(logits.shape), "logits": ref.rounded(logits.flatten())})
    return {"model": model, "cases": cases}


def make_gpt2_layers_pattern():
    base, _, exp = load_base("gpt2_prefixed")
    config = peft_lora_config("CAUSAL_LM", r=2, lora_alpha=4, target_modules=["c_attn", "c_fc"], fan_in_fan_out=True,
                              layers_to_transform=[1], layers_pattern="h", lora_bias=True)
    g = torch.Generator().manual_seed(1804)
    adapters = make_adapter(base, config, g, conv1d=True)
    assert sorted(adapters) == ["transformer.h.1.attn.c_attn", "transformer.h.1.mlp.c_fc"], sorted(adapters)
    w = merge(base, adapters, {}, {}, conv1d=True)
    w = {k[len("transformer."):]: v for k, v in w.items()}
    tensors = peft_state_dict(config, adapters, {}, {}, base)
    write_case("gpt2_layers_pattern_lora_bias", config, tensors, causal_expected("gpt2_prefixed", lambda i, m: ref.gpt2_forward(w, i, m), exp))


def make_llama_one_layer():
    base, cfg, exp = load_base("llama_gqa")
    config = peft_lora_config("CAUSAL_LM", r=2, lora_alpha=2, target_modules=["q_proj", "v_proj"], layers_to_transform=0)
    g = torch.Generator().manual_seed(1805)
    adapters = make_adapter(base, config, g)
    assert sorted(adapters) == ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj"], sorted(adapters)
    w = merge(base, adapters, {}, {})
    tensors = peft_state_dict(config, adapters, {}, {}, base)
    write_case("llama_layer_0", config, tensors, causal_expected("llama_gqa", lambda i, m: ref.llama_forward(w, cfg, i, m), exp))


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    for make in (make_roberta_bias_all, make_bert_lora_bias_layers, make_deberta_lora_only, make_gpt2_layers_pattern, make_llama_one_layer):
        make()
    for case in sorted(os.listdir(OUT)):
        folder = os.path.join(OUT, case)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"{case:40s} {size / 1024:6.1f} KB")
