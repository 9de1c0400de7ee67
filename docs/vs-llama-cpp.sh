#!/usr/bin/env bash
# Decode speed of this project (cpu backend) beside llama.cpp on the same GGUF files, the two engines
# interleaved in one run: README, "vs llama.cpp". Not part of the build or of CI.
#
#   docs/vs-llama-cpp.sh OUT_DIR [DEPTHS] [REPEATS] [TYPES]
#
# DEPTHS (default "4096 16384 32768"), REPEATS (default 2), TYPES: GGUF types of synthetic:bench-small
# to compare (default "f32 q8_0"). Needs llama.cpp's decode-at-depth, built by
# ../shared/tools/llama-cpp/build.sh: LLAMA_CPP_BIN names its directory (default /tmp/llama.cpp-peer/bin).
# For each repeat, type and depth: llama.cpp's full attention (f16 KV cache, its default; flash
# attention off, faster on 2 cores), then `ra bench` (full attention and Recycled Attention, K = n/8,
# stride 10), each filling its cache to the depth and timing 64 decode tokens on 2 threads. Writes
# OUT_DIR/results.csv (one row per engine, policy, type, depth and repeat, with the load average) and
# OUT_DIR/vs-llama-cpp.png (tokens/s against depth, best of the repeats), and prints a table.
set -euo pipefail
out=${1:?usage: docs/vs-llama-cpp.sh OUT_DIR [DEPTHS] [REPEATS] [TYPES]}
depths=${2:-"4096 16384 32768"}
repeats=${3:-2}
types=${4:-"f32 q8_0"}
bin=${LLAMA_CPP_BIN:-/tmp/llama.cpp-peer/bin}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ra="$root/ra"
[[ -x "$bin/decode-at-depth" ]] || { echo "no $bin/decode-at-depth: build llama.cpp with ../shared/tools/llama-cpp/build.sh and set LLAMA_CPP_BIN" >&2; exit 2; }
mkdir -p "$out"
csv="$out/results.csv"
echo "repeat,type,depth,engine,policy,tokens_per_s,load" > "$csv"
for t in $types; do
  [[ -f "$out/bench-small-$t.gguf" ]] || "$ra" export-gguf --model synthetic:bench-small --out "$out/bench-small-$t.gguf" --type "$t" >&2
done
for r in $(seq "$repeats"); do
  for t in $types; do
    for d in $depths; do
      model="$out/bench-small-$t.gguf"
      load=$(cut -d' ' -f1 /proc/loadavg)
      line=$("$bin/decode-at-depth" "$model" "$d" 64 2 3 f16 0)
      echo "$line" >&2
      echo "$r,$t,$d,llama.cpp,full,$(echo "$line" | sed -n 's/.*| \([0-9.]*\) ± .*/\1/p'),$load" >> "$csv"
      load=$(cut -d' ' -f1 /proc/loadavg)
      "$ra" bench --model "$model" --contexts "$d" --policies full,recycled --budget-ratio 0.125 --decode-tokens 64 --threads 2 --json \
        > "$out/ra-$r-$t-$d.json"
      python3 - "$out/ra-$r-$t-$d.json" "$r" "$t" "$d" "$load" >> "$csv" <<'PY'
import json, sys
cells, r, t, d, load = json.load(open(sys.argv[1])), *sys.argv[2:]
for c in cells:
    print(f"{r},{t},{d},ra,{c['policy']},{c['tokens_per_second']:.2f},{load}")
PY
    done
  done
done
# best of the repeats per line, as a table and a chart (the project's own chart code, through jshell)
python3 - "$csv" "$out/series.txt" <<'PY'
import csv, sys, collections
best = collections.defaultdict(float)
for row in csv.DictReader(open(sys.argv[1])):
    key = (row['type'], row['engine'], row['policy'], int(row['depth']))
    best[key] = max(best[key], float(row['tokens_per_s']))
depths = sorted({k[3] for k in best})
lines = sorted({k[:3] for k in best})
print('| weights | engine | policy | ' + ' | '.join(f'{d // 1024}K' for d in depths) + ' |')
print('| --- | --- | --- | ' + ' | '.join('---:' for _ in depths) + ' |')
for l in lines:
    print(f'| {l[0]} | {l[1]} | {l[2]} | ' + ' | '.join(f"{best.get((*l, d), float('nan')):.1f}" for d in depths) + ' |')
with open(sys.argv[2], 'w') as f:
    for l in lines:
        f.write(f'{l[1]} {l[2]} ({l[0]})|' + ','.join(str(d) for d in depths) + '|' + ','.join(str(best.get((*l, d), 0)) for d in depths) + '\n')
PY
java_home=$(dirname "$(dirname "$(ls -d /usr/lib/jvm/*25*/bin/jshell | head -n 1)")")
"$java_home/bin/jshell" --class-path "$root/ra-dist/target/lib/*" -R-Dseries="$out/series.txt" -R-Dpng="$out/vs-llama-cpp.png" - <<'JSH' >/dev/null
import java.nio.file.*;
import java.util.*;
import org.recycledattention.eval.report.Charts;
List<Charts.Series> series = new ArrayList<>();
for (String line : Files.readAllLines(Path.of(System.getProperty("series")))) {
  String[] p = line.split("\\|");
  series.add(new Charts.Series(p[0], Arrays.stream(p[1].split(",")).map(Double::valueOf).toList(), Arrays.stream(p[2].split(",")).map(Double::valueOf).toList()));
}
Charts.lineChart(Path.of(System.getProperty("png")), "Decode speed vs context: ra (cpu backend) and llama.cpp, synthetic:bench-small, 2 threads", "context (tokens)", "decode tokens/s", series, true);
/exit
JSH
echo "wrote $csv and $out/vs-llama-cpp.png" >&2
