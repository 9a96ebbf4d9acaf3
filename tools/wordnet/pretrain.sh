#!/usr/bin/env bash
# Builds the shipped base model assets/models/wordnet-gpt2 from nothing but WordNet 3.0 (Debian's wordnet-base):
#   1. the corpus (tools/wordnet/make_wordnet_data.py, into a scratch folder; the committed tasks are not touched),
#   2. a byte-level BPE tokenizer trained on it (peft train-tokenizer),
#   3. config.json of a 4-layer, 256-wide GPT-2,
#   4. pretraining from random initialisation with `peft train --method full` and recipes/pretrain/wordnet-gpt2.json,
#   5. the trained weights, tokenizer, log and held-out perplexity copied into assets/models/wordnet-gpt2.
# Usage: tools/wordnet/pretrain.sh [WORK_DIR]   (about an hour on 2 CPU cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$root/runs/wordnet-pretrain}"
model="$work/model"
mkdir -p "$work" "$model"

python3 "$root/tools/wordnet/make_wordnet_data.py" --out "$work/wordnet"
corpus="$work/wordnet/corpus"

"$root/peft" train-tokenizer --corpus "$corpus/train.txt" --vocab-size 4096 --out "$model"

eos=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['<|endoftext|>'])" "$model/vocab.json")
cat > "$model/config.json" <<JSON
{
  "architectures": ["GPT2LMHeadModel"],
  "model_type": "gpt2",
  "vocab_size": 4096,
  "n_positions": 128,
  "n_embd": 256,
  "n_layer": 4,
  "n_head": 4,
  "activation_function": "gelu_new",
  "resid_pdrop": 0.0,
  "embd_pdrop": 0.0,
  "attn_pdrop": 0.0,
  "layer_norm_epsilon": 1e-05,
  "initializer_range": 0.02,
  "bos_token_id": $eos,
  "eos_token_id": $eos
}
JSON

"$root/peft" train --recipe "$root/recipes/pretrain/wordnet-gpt2.json" --model "$model" \
  --data "$corpus/train.txt" --eval-data "$corpus/heldout.txt" --out "$work/out" 2>&1 | tee "$work/train.log"

dest="$root/assets/models/wordnet-gpt2"
mkdir -p "$dest"
for f in config.json model.safetensors vocab.json merges.txt tokenizer.json tokenizer_config.json special_tokens_map.json; do
  [ -f "$work/out/$f" ] && cp "$work/out/$f" "$dest/"
done
cp "$work/out/metrics.jsonl" "$dest/training_log.jsonl"
cp "$work/out/final_metrics.json" "$dest/final_metrics.json"
cp "$work/out/loss.png" "$dest/loss.png"
echo "pretrained model written to $dest"
