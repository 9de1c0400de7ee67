#!/usr/bin/env bash
# Decode speed of this project beside llama.cpp on the 1B shape (synthetic:llama-3.2-1b, random weights,
# exported as Q8_0: 1.6 GB), the issue-18 "real model's shape" targets. Not part of the build or of CI.
#
#   docs/vs-llama-cpp-1b.sh OUT_DIR [DEPTHS]
#
# DEPTHS (default "4096 16384"). `ra bench` (full attention and Recycled Attention at K = n/8, stride 10, 32 decode
# tokens, 2 threads; the cache filled with random entries), then llama.cpp's decode-at-depth at each depth (f16 KV,
# flash attention off, one repetition: its prefill of 16K tokens takes about 8 minutes on 2 cores), then `ra bench`
# again. Each `ra bench` runs twice: with the model mapped (the default, as llama.cpp) and read into memory
# (--no-mmap, lines "a-read", "b-read"): on the 2-core VM the mapped weights read about 30% slower once they no longer
# fit the caches (MatVecBench -Dmapped=true shows the same on one matrix). LLAMA_CPP_BIN names llama.cpp's bin
# directory (default /tmp/llama.cpp-peer/bin).
set -euo pipefail
out=${1:?usage: docs/vs-llama-cpp-1b.sh OUT_DIR [DEPTHS]}
depths=${2:-"4096 16384"}
bin=${LLAMA_CPP_BIN:-/tmp/llama.cpp-peer/bin}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -x "$bin/decode-at-depth" ]] || { echo "no $bin/decode-at-depth: build llama.cpp with ../shared/tools/llama-cpp/build.sh and set LLAMA_CPP_BIN" >&2; exit 2; }
mkdir -p "$out"
f="$out/llama-1b-q8_0.gguf"
[[ -f "$f" ]] || "$root/ra" export-gguf --model synthetic:llama-3.2-1b --out "$f" --type q8_0 >&2
contexts=$(echo $depths | tr ' ' ',')
rabench() { # name [ra bench flags]
  local name=$1; shift
  "$root/ra" bench --model "$f" --contexts "$contexts" --policies full,recycled --budget-ratio 0.125 --decode-tokens 32 \
    --threads 2 --json "$@" > "$out/ra-$name.json" 2> "$out/ra-$name.err"
  python3 -c "import json,sys; [print('ra', '$name', c['context'], c['policy'], round(c['tokens_per_second'], 2)) for c in json.load(open('$out/ra-$name.json'))]"
}
rabench a
rabench a-read --no-mmap
for d in $depths; do "$bin/decode-at-depth" "$f" "$d" 32 2 1 f16 0 2>/dev/null | tail -1 | tee -a "$out/peer.txt"; done
rabench b
rabench b-read --no-mmap
