#!/usr/bin/env python3
"""Key matching outside training: free generation (./ra generate, greedy) on prompts in the `echo` task's words.

usage: python3 docs/training/echo_check.py MODEL [N] [KEYS] [UNITS] [ASKS]   (from the repository root)

N prompts (default 8), each with KEYS needles `One of the special magic numbers for K is: V.` (default 3) among
UNITS units of RULER's noise text (default 0), then ASKS of the keys asked in turn in the needles' own words
(default KEYS), the earlier ones answered; the model answers the last. Prints each answer and the counts of right
first value tokens (the key's choice; the later tokens are a copy) and right whole values. With ASKS = KEYS the last
key can be found by exclusion; ASKS = 1 leaves only the key. Values as `echo` makes them: no value token twice.
"""
import random, subprocess, sys
if len(sys.argv) < 2:
    sys.exit(__doc__)
model = sys.argv[1]
n, keys, units = (int(a) for a in (sys.argv[2:5] + ["8", "3", "0"][len(sys.argv[2:5]):]))
asks = int(sys.argv[5]) if len(sys.argv) > 5 else keys
A = "amber brave calm dusty eager faint gentle hollow icy jolly keen lucky misty noble odd proud quiet rapid silent tidy urban vivid witty young zesty".split()
N = "anchor badger candle dragon engine falcon garden harbor island jacket kettle ladder meadow needle orchid pepper quartz river saddle temple umbrella valley walrus yacht zebra".split()
INTRO = "Some special magic numbers are hidden within the following text. Make sure to memorize it. I will quiz you about the numbers afterwards.\n"
NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
r = random.Random(7)
first = whole = 0
for i in range(n):
    ks = []
    while len(ks) < keys:
        k = r.choice(A) + "-" + r.choice(N)
        if k not in ks: ks.append(k)
    firsts = r.sample(range(10, 100), keys); pool = r.sample(range(100), 2 * keys); last = r.sample(range(10), keys)
    vals = ["%02d%02d%02d%d" % (firsts[k], pool[2 * k], pool[2 * k + 1], last[k]) for k in range(keys)]
    parts = [NOISE] * units
    for k in r.sample(range(keys), keys):
        parts.insert(r.randint(0, len(parts)), "One of the special magic numbers for %s is: %s." % (ks[k], vals[k]))
    asked = r.sample(range(keys), asks)
    q = " ".join("One of the special magic numbers for %s is: %s." % (ks[k], vals[k]) for k in asked[:-1])
    prompt = INTRO + " ".join(parts) + "\n" + (q + " " if q else "") + "One of the special magic numbers for %s is:" % ks[asked[-1]]
    out = subprocess.run(["./ra", "generate", "--model", model, "--prompt", prompt, "--max-tokens", "5", "--threads", "1"],
                         capture_output=True, text=True).stdout
    want = vals[asked[-1]]
    got = out.strip().split(".")[0].strip()
    first += got[:2] == want[:2]; whole += got == want
    print(f"{ks[asked[-1]]:>18} want {want} got {out.strip()!r}  (others {[vals[k] for k in asked[:-1]]})", flush=True)
print(f"first value token right {first}/{n}, whole value {whole}/{n} (a random key not yet asked: {n / (keys - asks + 1):.1f})")
