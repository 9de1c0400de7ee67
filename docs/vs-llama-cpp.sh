#!/usr/bin/env bash
# Decode speed of this project (cpu backend) beside llama.cpp on the same GGUF files, the two engines
# interleaved in one run: README, "vs llama.cpp". Not part of the build or of CI.
#
#   docs/vs-llama-cpp.sh OUT_DIR [DEPTHS] [TYPES]
#
# DEPTHS (default "4096 16384 32768"), TYPES: GGUF types of synthetic:bench-small to compare (default
# "f32 q8_0"). Needs llama.cpp's decode-at-depth, built by ../shared/tools/llama-cpp/build.sh:
# LLAMA_CPP_BIN names its directory (default /tmp/llama.cpp-peer/bin).
# For each type: `ra bench` (run a: full attention, Recycled Attention with K = n/8 and stride 10, and
# local attention at the same K, every depth, 128 decode tokens, 2 threads, --bandwidth), then llama.cpp's
# full attention at each depth (f16 KV cache, its default; flash attention off, faster on 2 cores;
# 64 tokens, 3 repetitions at 4K, 1 above: its prefill dominates), then `ra bench` again (run b). The
# spread between runs a and b is the machine's noise. Writes OUT_DIR/results.csv (one row per run,
# engine, policy, type and depth), OUT_DIR/steps.md (per kind of step: median ms, attention share,
# the attention's read rate against the bandwidth measured in the same run), OUT_DIR/vs-llama-cpp.png
# (tokens/s against depth, best of the runs) and prints the tables.
set -euo pipefail
out=${1:?usage: docs/vs-llama-cpp.sh OUT_DIR [DEPTHS] [TYPES]}
depths=${2:-"4096 16384 32768"}
types=${3:-"f32 q8_0"}
bin=${LLAMA_CPP_BIN:-/tmp/llama.cpp-peer/bin}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ra="$root/ra"
[[ -x "$bin/decode-at-depth" ]] || { echo "no $bin/decode-at-depth: build llama.cpp with ../shared/tools/llama-cpp/build.sh and set LLAMA_CPP_BIN" >&2; exit 2; }
mkdir -p "$out"
csv="$out/results.csv"
echo "run,type,depth,engine,policy,tokens_per_s,load" > "$csv"
for t in $types; do
  [[ -f "$out/bench-small-$t.gguf" ]] || "$ra" export-gguf --model synthetic:bench-small --out "$out/bench-small-$t.gguf" --type "$t" >&2
done
contexts=$(echo $depths | tr ' ' ',')
rabench() { # run type
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  "$ra" bench --model "$out/bench-small-$2.gguf" --contexts "$contexts" --policies full,recycled,local --budget-ratio 0.125 \
    --decode-tokens 128 --threads 2 --bandwidth --json > "$out/ra-$2-$1.json" 2> "$out/ra-$2-$1.err"
  python3 - "$out/ra-$2-$1.json" "$1" "$2" "$load" >> "$csv" <<'PY'
import json, sys
cells, r, t, load = json.load(open(sys.argv[1])), *sys.argv[2:]
for c in cells:
    print(f"{r},{t},{c['context']},ra,{c['policy']},{c['tokens_per_second']:.2f},{load}")
PY
}
for t in $types; do
  rabench a "$t"
  for d in $depths; do
    reps=1; (( d <= 4096 )) && reps=3
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$("$bin/decode-at-depth" "$out/bench-small-$t.gguf" "$d" 64 2 "$reps" f16 0)
    echo "$line" >&2
    echo "peer,$t,$d,llama.cpp,full,$(echo "$line" | sed -n 's/.*| \([0-9.]*\) ± .*/\1/p'),$load" >> "$csv"
  done
  rabench b "$t"
done
# tables (ratios within one run: each ra run against the llama.cpp run between them) and the chart series
python3 - "$csv" "$out" <<'PY'
import csv, sys, json, collections
rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
tps = {(r['run'], r['type'], int(r['depth']), r['policy']): float(r['tokens_per_s']) for r in rows}
types = sorted({r['type'] for r in rows})
depths = sorted({int(r['depth']) for r in rows})
print('| weights | depth | llama.cpp full | ra full (a / b) | ra recycled (a / b) | full vs llama.cpp | recycled vs our full | recycled vs llama.cpp |')
print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for t in types:
    for d in depths:
        p = tps.get(('peer', t, d, 'full'), float('nan'))
        f = [tps.get((r, t, d, 'full'), float('nan')) for r in 'ab']
        c = [tps.get((r, t, d, 'recycled'), float('nan')) for r in 'ab']
        rng = lambda xs: ' – '.join(f'{x:.2f}x' for x in sorted(xs))
        print(f"| {t} | {d // 1024}K | {p:.1f} | {f[0]:.1f} / {f[1]:.1f} | {c[0]:.1f} / {c[1]:.1f} | {rng([x / p for x in f])} "
              f"| {rng([c[i] / f[i] for i in range(2)])} | {rng([x / p for x in c])} |")
with open(f'{out}/steps.md', 'w') as md:
    md.write('| weights | run | depth | read GB/s (bandwidth) | full: full step ms | recycled: full step ms | ratio | recycled: partial step ms | local step ms | ratio | full attention GB/s (share) |\n')
    md.write('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n')
    for t in types:
        for r in 'ab':
            cells = {(c['context'], c['policy']): c for c in json.load(open(f'{out}/ra-{t}-{r}.json'))}
            for d in depths:
                med = lambda pol, kind: next(s['ms_median'] for s in cells[(d, pol)]['step_times'] if s['kind'] == kind)
                bw = cells[(d, 'full')]['read_bandwidth_gb_per_s']
                att = cells[(d, 'full')]['attention_gb_per_s']
                ff, rf, rp, lf = med('full', 'full'), med('recycled', 'full'), med('recycled', 'partial'), med('local', 'full')
                md.write(f'| {t} | {r} | {d // 1024}K | {bw:.1f} | {ff:.2f} | {rf:.2f} | {rf / ff:.2f}x | {rp:.2f} | {lf:.2f} | {rp / lf:.2f}x '
                         f'| {att:.1f} ({100 * att / bw:.0f}%) |\n')
print(open(f'{out}/steps.md').read())
with open(f'{out}/series.txt', 'w') as f:
    for t in types:
        for eng, pol, runs in (('llama.cpp', 'full', ['peer']), ('ra', 'full', 'ab'), ('ra', 'recycled', 'ab')):
            ys = [max(tps.get((r, t, d, pol), 0) for r in runs) for d in depths]
            f.write(f'{eng} {pol} ({t})|' + ','.join(map(str, depths)) + '|' + ','.join(map(str, ys)) + '\n')
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
echo "wrote $csv, $out/steps.md and $out/vs-llama-cpp.png" >&2
