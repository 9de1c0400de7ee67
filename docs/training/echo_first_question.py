#!/usr/bin/env python3
"""Which needle a probe copies when asked the FIRST key of a two-key `echo` prompt.

    python3 docs/training/echo_first_question.py CKPT.gguf [N] [SEED] [--adjacent | --colon]

Builds N prompts in `echo`'s words (two needles, 0 or 1 unit of RULER's noise between them, then
the first question, so that no answer can be found by elimination), runs `./ra generate` greedily
on each (run from the repository root) and counts whether the answer, and its first digit pair
(the one token the key chooses), is the asked needle's value, the other needle's, or neither.
A probe that finds the value by its key copies the asked one; one that picks a needle by its
place or at random copies either about equally often. With --adjacent the prompts are in the words
of `ra train-probe --adjacent-keys` (each value right after its key, no "is:" between), with --colon
in those of `--colon-keys` ("for K: V.").
"""
import json
import random
import subprocess
import sys

ADJECTIVES = ("amber brave calm dusty eager faint gentle hollow icy jolly keen lucky misty noble odd proud quiet rapid silent "
              "tidy urban vivid witty young zesty").split()
NOUNS = ("anchor badger candle dragon engine falcon garden harbor island jacket kettle ladder meadow needle orchid pepper "
         "quartz river saddle temple umbrella valley walrus yacht zebra").split()
INTRO = ("Some special magic numbers are hidden within the following text. Make sure to memorize it. "
         "I will quiz you about the numbers afterwards.\n")
NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."


def main():
    adjacent = "--adjacent" in sys.argv
    colon = "--colon" in sys.argv
    args = [a for a in sys.argv[1:] if a not in ("--adjacent", "--colon")]
    model = args[0]
    n = int(args[1]) if len(args) > 1 else 40
    r = random.Random(int(args[2]) if len(args) > 2 else 1)
    gap = " " if adjacent else ": " if colon else " is: "
    whole = {"asked": 0, "other": 0, "neither": 0}
    first = {"asked": 0, "other": 0, "neither": 0}
    for _ in range(n):
        keys = []
        while len(keys) < 2:
            k = r.choice(ADJECTIVES) + "-" + r.choice(NOUNS)
            if k not in keys:
                keys.append(k)
        # as the generator makes echo values: different first pairs, no token twice
        firsts, pool, lasts = r.sample(range(10, 100), 2), r.sample(range(100), 4), r.sample(range(10), 2)
        values = ["%02d%02d%02d%d" % (firsts[j], pool[2 * j], pool[2 * j + 1], lasts[j]) for j in range(2)]
        needles = ["One of the special magic numbers for %s%s%s." % (keys[j], gap, values[j]) for j in range(2)]
        r.shuffle(needles)
        body = " ".join(needles[:1] + [NOISE] * r.randint(0, 1) + needles[1:])
        asked = r.randrange(2)
        prompt = INTRO + body + "\nOne of the special magic numbers for %s%s" % (keys[asked], gap.rstrip())
        out = subprocess.run(["./ra", "generate", "--model", model, "--prompt", prompt, "--max-tokens", "5", "--json"],
                             capture_output=True, text=True, check=True)
        digits = "".join(c for c in json.loads(out.stdout)["text"] if c.isdigit())[:7]
        for counts, got, a, o in ((whole, digits, values[asked], values[1 - asked]),
                                  (first, digits[:2], values[asked][:2], values[1 - asked][:2])):
            counts["asked" if got == a else "other" if got == o else "neither"] += 1
    print(model, repr(gap), "whole answer:", whole, "first pair:", first)


if __name__ == "__main__":
    main()
