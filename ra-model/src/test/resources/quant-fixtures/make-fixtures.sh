#!/usr/bin/env bash
# Regenerates the llama.cpp-reference fixtures in this folder (README.md says what they are and how
# the tests use them). Needs the peer built by ../shared/tools/llama-cpp/build.sh; tests never do.
# usage: ra-engine/src/test/resources/quant-fixtures/make-fixtures.sh [PEER_BIN]   (default /tmp/llama.cpp-peer/bin)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$(cd "$here/../../../.." && pwd)"
bin="${1:-/tmp/llama.cpp-peer/bin}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. the F32 models (random weights from fixed seeds) and the prompts
(cd "$module" && mvn -q -o test-compile)
cp="$module/target/classes:$module/target/test-classes:$(cd "$module" && mvn -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"
"$java" --add-modules jdk.incubator.vector -cp "$cp" org.recycledattention.engine.gguf.QuantFixtureModels "$work" 2>/dev/null

# 2. every type, whole file (--pure: every matrix in that type, norms and biases F32)
rm -f "$here"/*.gguf "$here"/*.json
for model in llama-a llama-b qwen2; do
  for type in F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 IQ4_NL IQ4_XS Q2_K Q3_K Q4_K Q5_K Q6_K; do
    "$bin/llama-quantize" --pure "$work/$model-f32.gguf" "$here/$model-${type,,}.gguf" "$type" >/dev/null 2>&1
  done
done
# 3. llama-quantize's mixes (per-tensor types chosen by llama.cpp: attn_v and ffn_down bumped up,
#    output.weight Q6_K), on the untied model
for type in Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0; do
  "$bin/llama-quantize" "$work/llama-a-f32.gguf" "$here/llama-a-mix-${type,,}.gguf" "$type" >/dev/null 2>&1
done

# 4. llama.cpp's greedy ids and top1-top2 margins (F32 KV cache, 1 thread) for each prompt
{
  printf '{'
  sep=''
  for p in bos short long; do
    printf '%s"%s":[%s]' "$sep" "$p" "$(cat "$work/prompt-$p.csv")"
    sep=','
  done
  printf '}\n'
} >"$here/prompts.json"
for f in "$here"/*.gguf; do
  {
    printf '{'
    sep=''
    for p in bos short long; do
      printf '%s"%s":%s' "$sep" "$p" "$("$bin/greedy-ids" "$f" "$(cat "$work/prompt-$p.csv")" 32)"
      sep=','
    done
    printf '}\n'
  } >"${f%.gguf}.json"
done
du -ch "$here"/*.gguf | tail -1
