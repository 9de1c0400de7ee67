#!/usr/bin/env bash
# Decode tokens/s per weight type, this engine beside llama.cpp (the speed column of README's weight
# type table): synthetic:bench-small exported as F32, quantized whole (llama-quantize --pure) to each
# type; full attention, f16 KV cache, 2 threads, depth 1024. llama.cpp: decode-at-depth, 3
# repetitions of 64 tokens; ra: ra bench, 256 tokens after 32 untimed warm-up steps. Interleaved
# (ra, llama.cpp per type) in this one script.
#
# usage: docs/quant-types-vs-llama-cpp.sh [PEER_BIN_DIR] [WORK_DIR]   (defaults as quant-vs-llama-cpp.sh)
# Prints one line per type: type, ra tok/s, llama.cpp tok/s, ratio.
source "$(dirname "${BASH_SOURCE[0]}")/quant-bench-files.sh" "$@"
types="F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 IQ4_NL Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_XS"
for type in $types; do
  if [[ "$type" != F32 && ! -f "$dir/pure-$type.gguf" ]]; then
    "$bin/llama-quantize" --pure "$dir/bench-small-f32.gguf" "$dir/pure-$type.gguf" "$type" 2 >/dev/null 2>&1
  fi
done
echo "type ra_tok/s llama.cpp_tok/s ratio"
for type in $types; do
  f="$dir/pure-$type.gguf"
  [[ "$type" == F32 ]] && f="$dir/bench-small-f32.gguf"
  ra=$(./ra bench --model "$f" --contexts 1024 --policies full --budget-ratio 0.125 --backends cpu --threads 2 \
      --set ra.backend.cpu.dtype=f16 --decode-tokens 256 --json 2>/dev/null \
    | python3 -c 'import json,sys; print(round(json.load(sys.stdin)[0]["tokens_per_second"], 1))')
  peer=$("$bin/decode-at-depth" "$f" 1024 64 2 3 f16 0 | sed -E 's/.*\| ([0-9.]+) ± ([0-9.]+) t\/s \|/\1/')
  echo "$type $ra $peer $(python3 -c "print(f'{$ra / $peer:.2f}x')")"
done
