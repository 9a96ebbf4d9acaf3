#!/usr/bin/env python3
"""Checks that every recipe under this folder is one a `./peft train --recipe FILE` can read.

A recipe is one JSON object whose keys are long option names of `peft train` (without the
leading `--`) plus three metadata keys the CLI ignores: "description", "source" and "notes".
This script checks, for every `*.json` below the folder it lives in (or the files given on the
command line):

  * the file is well-formed UTF-8 JSON holding one object, with no key repeated;
  * every key is a known option or metadata key; "model" is refused (users pass --model);
  * "description", "source", "notes", "task" and "method" are present, metadata non-empty;
  * each value has the option's type (integer, number, string or boolean; list-valued options
    are comma-separated strings), enumerated options hold one of their values, and counts,
    rates and sizes are in range;
  * a Dual LoRA recipe says in its notes that its hyperparameters were derived, since the
    Dual LoRA paper publishes none.

Usage: python3 recipes/check_recipes.py [FILE ...]. Prints one line per problem
("file: key: what is wrong") and exits with status 1 if there is any, else prints a summary
and exits with 0. Standard library only.
"""

import json
import math
import os
import re
import sys

METADATA = {"description", "source", "notes"}
INTEGER = {
    "max-length", "r", "r1", "r2", "k", "init-r", "target-r", "tinit", "tfinal", "delta-t",
    "update-warmup-steps", "warmup-steps", "epochs", "max-steps", "batch-size", "grad-accum",
    "seed", "eval-steps", "save-steps", "keep-last", "num-beams", "max-new-tokens", "no-repeat-ngram",
}
NUMBER = {
    "alpha", "lora-dropout", "loraplus-lr-ratio", "beta1", "beta2", "orth-reg-weight", "init-std",
    "lr", "weight-decay", "warmup-ratio", "max-grad-norm", "label-smoothing", "length-penalty",
}
STRING = {"data", "eval-data", "task", "target-modules", "modules-to-save", "early-stopping-metric"}
BOOLEAN = {"use-rslora", "reference-indentation"}
ENUM = {
    "method": {"full", "lora", "dora", "lora-plus", "adalora", "dual-lora", "lora2"},
    "bias": {"none", "all", "lora_only"},
    "magnitude-activation": {"relu", "abs", "sigmoid"},
    "sign-mode": {"ste", "xnor", "dorefa"},
    "optimizer": {"adamw", "sgd"},
    "lr-scheduler": {"constant", "linear", "cosine"},
    "dtype": {"float32", "bfloat16", "float16"},
}
OPTIONS = INTEGER | NUMBER | STRING | BOOLEAN | set(ENUM)
REQUIRED = METADATA | {"task", "method"}

GLUE = {"cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "qnli", "rte", "wnli"}
COMMONSENSE = {"boolq", "piqa", "social_i_qa", "hellaswag", "winogrande", "ARC-Easy", "ARC-Challenge", "openbookqa"}
TASK = re.compile(r"^(causal-lm|classification|e2e|commonsense|glue/(%s)|commonsense/(%s))$"
                  % ("|".join(sorted(GLUE)), "|".join(sorted(COMMONSENSE))))

POSITIVE = {"max-length", "r", "r1", "r2", "k", "init-r", "target-r", "delta-t", "epochs", "batch-size",
            "grad-accum", "num-beams", "max-new-tokens", "lr", "alpha", "init-std", "loraplus-lr-ratio"}
NON_NEGATIVE = {"tinit", "tfinal", "update-warmup-steps", "warmup-steps", "max-steps", "seed", "eval-steps",
                "save-steps", "keep-last", "no-repeat-ngram", "weight-decay", "max-grad-norm", "orth-reg-weight",
                "length-penalty"}
UNIT_INTERVAL = {"lora-dropout", "warmup-ratio", "label-smoothing"}   # [0, 1]
OPEN_UNIT = {"beta1", "beta2"}                                          # (0, 1)


def no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("key %r appears twice" % key)
        seen[key] = value
    return seen


def check_value(key, value):
    """Returns a description of what is wrong with `value` for option `key`, or None."""
    is_bool = isinstance(value, bool)
    if key in METADATA or key in STRING:
        if not isinstance(value, str) or not value.strip():
            return "expected a non-empty string, got %r" % (value,)
    elif key in BOOLEAN:
        if not is_bool:
            return "expected true or false, got %r" % (value,)
    elif key in INTEGER:
        if is_bool or not isinstance(value, int):
            return "expected an integer, got %r" % (value,)
    elif key in NUMBER:
        if is_bool or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "expected a finite number, got %r" % (value,)
    elif key in ENUM:
        if value not in ENUM[key]:
            return "expected one of %s, got %r" % (", ".join(sorted(ENUM[key])), value)
    if key == "task" and not TASK.match(value):
        return "unknown task %r" % (value,)
    if key in ("target-modules", "modules-to-save") and not value.startswith("regex:"):
        parts = value.split(",")
        if any(not p.strip() or p != p.strip() for p in parts):
            return "expected a comma-separated list of module names without blanks, got %r" % (value,)
    if key in POSITIVE and not value > 0:
        return "must be > 0, got %r" % (value,)
    if key in NON_NEGATIVE and not value >= 0:
        return "must be >= 0, got %r" % (value,)
    if key in UNIT_INTERVAL and not 0 <= value <= 1:
        return "must be within [0, 1], got %r" % (value,)
    if key in OPEN_UNIT and not 0 < value < 1:
        return "must be within (0, 1), got %r" % (value,)
    return None


def check_file(path):
    """Returns the list of problems found in one recipe file."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        recipe = json.loads(text, object_pairs_hook=no_duplicates)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return ["not a readable JSON file: %s" % e]
    if not isinstance(recipe, dict):
        return ["expected one JSON object, got %s" % type(recipe).__name__]
    problems = []
    for key in sorted(REQUIRED - set(recipe)):
        problems.append("%s: missing" % key)
    for key, value in recipe.items():
        if key == "model":
            problems.append("model: a recipe must not name the model (users pass --model)")
        elif key not in OPTIONS and key not in METADATA:
            problems.append("%s: not an option of peft train" % key)
        else:
            wrong = check_value(key, value)
            if wrong:
                problems.append("%s: %s" % (key, wrong))
    if recipe.get("method") == "dual-lora" and "derived" not in str(recipe.get("notes", "")).lower():
        problems.append("notes: a Dual LoRA recipe must say which values were derived")
    if "warmup-steps" in recipe and "warmup-ratio" in recipe:
        problems.append("warmup-steps, warmup-ratio: give one of them, not both")
    return problems


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    files = argv[1:] or sorted(
        os.path.join(root, name) for root, _, names in os.walk(here) for name in names if name.endswith(".json"))
    if not files:
        print("no recipe files found under %s" % here)
        return 1
    failures = 0
    for path in files:
        for problem in check_file(path):
            failures += 1
            print("%s: %s" % (os.path.relpath(path), problem))
    if failures:
        print("%d problem(s) in %d file(s) checked" % (failures, len(files)))
        return 1
    print("%d recipe file(s) checked, all well-formed" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
