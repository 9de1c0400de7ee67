#!/usr/bin/env bash
# Decode tokens/s of this engine beside llama.cpp's on Q4_K_M and Q6_K files of the bench-small
# geometry (issue 15, item 2): full attention, f16 KV cache on both sides, 2 threads, depth 1K and
# 16K. llama.cpp: decode-at-depth, 3 repetitions of 64 tokens after a prefill of the depth. ra: ra
# bench, 256 tokens in 4 alternating rounds after 32 untimed warm-up steps, on a cache filled with
# random keys and values (no prefill). Both engines run in this one script, interleaved (ra,
# llama.cpp, llama.cpp, ra per file), so that they see the same machine.
#
# usage: docs/quant-vs-llama-cpp.sh [PEER_BIN_DIR] [WORK_DIR]
#   PEER_BIN_DIR  llama.cpp's binaries at the peer's commit, with llama-quantize and decode-at-depth
#                 (../shared/tools/llama-cpp/build.sh builds them; default /tmp/llama.cpp-peer/bin)
#   WORK_DIR      where the model files go (default /tmp/ra-quant-bench)
# Prints one line per run: engine, type, tokens/s at depth 1024 and 16384. A last pair of lines runs
# the F32 file as a control: the same gap there means the quantized kernels are not what bounds it.
source "$(dirname "${BASH_SOURCE[0]}")/quant-bench-files.sh" "$@"
for type in Q4_K_M Q6_K; do
  if [[ ! -f "$dir/bench-small-$type.gguf" ]]; then
    "$bin/llama-quantize" "$dir/bench-small-f32.gguf" "$dir/bench-small-$type.gguf" "$type" 2 >/dev/null 2>&1
  fi
done

ra_bench() { # file: tokens/s at 1K and 16K, one JVM (the 16K cell runs with the kernels compiled)
  ./ra bench --model "$1" --contexts 1024,16384 --policies full --budget-ratio 0.125 --backends cpu --threads 2 \
      --set ra.backend.cpu.dtype=f16 --decode-tokens 256 --json 2>/dev/null \
    | python3 -c 'import json,sys; print(" ".join(str(round(c["tokens_per_second"], 1)) for c in json.load(sys.stdin)))'
}
peer() { # file depth: mean tokens/s of 3 repetitions of 64 tokens
  "$bin/decode-at-depth" "$1" "$2" 64 2 3 f16 0 | sed -E 's/.*\| ([0-9.]+) ± ([0-9.]+) t\/s \|/\1/'
}

echo "engine type tok/s@1024 tok/s@16384"
for type in Q4_K_M Q6_K; do
  f="$dir/bench-small-$type.gguf"
  echo "ra $type $(ra_bench "$f")"
  echo "llama.cpp $type $(peer "$f" 1024) $(peer "$f" 16384)"
  echo "llama.cpp $type $(peer "$f" 1024) $(peer "$f" 16384)"
  echo "ra $type $(ra_bench "$f")"
done

# control: the F32 file the quantized ones were made from (no quantized kernel runs), depth 1K for llama.cpp
f="$dir/bench-small-f32.gguf"
echo "ra F32 $(ra_bench "$f")"
echo "llama.cpp F32 $(peer "$f" 1024) -"
