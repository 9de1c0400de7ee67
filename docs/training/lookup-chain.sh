#!/usr/bin/env bash
# lookup-chain.sh [DIR]: the training recipe of README, Results, points 19-22 as one script, stage after
# stage: a copy of one key; the lookup by key on adjacent keys; carried over to the tasks' `is:`; RULER's
# noise text around the needles; two-key niah_multikey in RULER's own words; three keys. Each stage continues
# the previous one's checkpoint at the step given and is stopped there (a stage runs with a long --steps so
# that its learning rate holds at the peak, as the runs it reproduces did). Writes into DIR (default:
# lookup-chain), per stage a-g: NAME.log, NAME.png/.csv (curves), NAME.step-N.gguf (every 250 steps); a stage
# whose stopping checkpoint is there already is skipped, so a stopped chain continues where it was.
# At one torch thread a step of 24 prompts of 64-96 tokens takes 0.3-0.6 s; stages a-c take about 70 min;
# with haystack (d-g: 128-192 tokens) 0.7-1.0 s a step, about 80 min for d and e, 100 min for f and g.
set -euo pipefail
ra="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ra"
dir="${1:-lookup-chain}"
mkdir -p "$dir"
cd "$dir"

# stage NAME STOP ARGS...: train NAME until its checkpoint at step STOP exists, then stop it
stage() {
  local name=$1 stop=$2
  shift 2
  if [[ -f "$name.step-$stop.gguf" ]]; then return 0; fi
  "$ra" train-probe --out "$name.gguf" --curves "$name.png" "$@" >"$name.log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -f "$name.step-$stop.gguf" ]]; then sleep 5; kill "$pid"; break; fi
    sleep 10
  done
  wait "$pid" || true
  [[ -f "$name.step-$stop.gguf" ]] || { echo "lookup-chain: $name ended before step $stop; see $dir/$name.log" >&2; exit 1; }
}

G="--geometry heads=8,kv-heads=8 --rope-theta 200000"
E="--min-length 64 --batch 24 --type f32 --checkpoint-every 250 --learning-rate 3e-3"
# 1. a copy: one key, then two (point 18's s14b)
stage a 1500 $G $E --tasks echo --curriculum-start 1:96 --keys-start 1 --steps 30000 --seed 83
# 2. the lookup, every value right after its key (point 19's s15b)
stage b 2750 --init a.step-1500.gguf $E --tasks echo --curriculum-start 1:96 --keys-start 2 --steps 20000 --seed 93 --adjacent-keys 1
# 3. carried over to `is:`: a third adjacent, a third with a colon, a third in the task's words (s15d)
stage c 2000 --init b.step-2750.gguf $E --tasks echo --curriculum-start 1:96 --keys-start 2 --steps 20000 --seed 97 \
  --adjacent-keys 0.34 --colon-keys 0.33
# 4. the same lookup with RULER's noise text around the needles: every prompt 128-160 tokens (point 21's s17b;
#    stages a-c never see the haystack, and the noise text alone breaks their lookup)
L="--batch 24 --type f32 --checkpoint-every 250 --learning-rate 3e-3 --steps 20000 --max-length 1024"
stage d 3500 --init c.step-2000.gguf $L --tasks echo --keys-start 2 --min-length 128 --curriculum-start 1:160 --seed 109 \
  --adjacent-keys 0.34 --colon-keys 0.33
# 5. in RULER's words: two-key niah_multikey beside echo, 128-192 tokens (s17h). niah_multikey, the last task of
#    --tasks, is the newest to the curriculum and takes half of every batch.
stage e 2500 --init d.step-3500.gguf $L --tasks echo,niah_multikey --keys-start 2 --min-length 128 --curriculum-start 2:192 \
  --seed 121 --adjacent-keys 0.25 --colon-keys 0.25
# 6. RULER's three keys at 128-192 tokens; the curriculum held (--competence 0.95) where it starts (s17i, then
#    point 22's s18a on its checkpoint at step 1,250)
stage f 1250 --init e.step-2500.gguf $L --tasks echo,niah_multikey --keys-start 3 --min-length 128 --curriculum-start 2:192 \
  --seed 123 --adjacent-keys 0.25 --colon-keys 0.25 --competence 0.95
stage g 5000 --init f.step-1250.gguf $L --tasks echo,niah_multikey --keys-start 3 --min-length 128 --curriculum-start 2:192 \
  --seed 131 --adjacent-keys 0.25 --colon-keys 0.25 --competence 0.95
