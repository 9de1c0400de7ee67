#!/usr/bin/env bash
# The runs behind README's "Recycled Attention's step overheads" (2026-12-06 06:49-06:51 UTC, 2-core VM):
# `ra bench` at 32K on synthetic:bench-small, K = n/8, stride 10, 256 decode tokens, 2 threads, full, recycled and
# local attention; main's build and the perf branch's alternating (base, new, base, new) on the f32 file, then the
# branch twice on the Q8_0 file (final-*.json, q8-new-*.json). merged-*.json: the f32 alternation again at
# 07:10-07:12 UTC after merging main into the branch (main then at 3be2078). BASE_LIB and NEW_LIB: the
# ra-dist/target/lib folder of each build.
#   BASE_LIB=... NEW_LIB=... run.sh OUT_DIR
set -euo pipefail
out=${1:?usage: run.sh OUT_DIR}
mkdir -p "$out"
ra() { # lib args...
  local lib=$1; shift
  java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -cp "$lib/*" org.recycledattention.cli.Main "$@"
}
for t in f32 q8_0; do
  [[ -f "$out/bs-$t.gguf" ]] || ra "$NEW_LIB" export-gguf --model synthetic:bench-small --out "$out/bs-$t.gguf" --type "$t"
done
bench() { # lib file out
  ra "$1" bench --model "$2" --contexts 32768 --policies full,recycled,local --budget-ratio 0.125 --decode-tokens 256 \
    --threads 2 --set ra.policy.recycled.stride=10 --json > "$3" 2>/dev/null
}
for i in 1 2; do
  bench "$BASE_LIB" "$out/bs-f32.gguf" "$out/final-base-$i.json"
  bench "$NEW_LIB" "$out/bs-f32.gguf" "$out/final-new-$i.json"
done
for i in 1 2; do
  bench "$NEW_LIB" "$out/bs-q8_0.gguf" "$out/q8-new-$i.json"
done
