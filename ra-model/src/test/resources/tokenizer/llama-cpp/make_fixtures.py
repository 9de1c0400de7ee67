#!/usr/bin/env python3
"""Makes the llama.cpp tokenizer fixtures of this directory: the vocabulary-only GGUF files and
expected.json, llama.cpp's ids for every (vocabulary, pre-tokenizer, text) that LlamaCppTokenizerTest checks.

  python3 make_fixtures.py /tmp/llama.cpp-peer/bin/llama-tokenize

The peer is llama.cpp at commit c392e5094ddaf2d1a7c18683214f007fad3fe42b (../shared/tools/llama-cpp). For
each case the script writes the text to a file byte for byte and runs

  llama-tokenize -m VOCAB.gguf -f TEXT --ids --no-escape --no-parse-special --log-disable [--no-bos]

(no escape processing, special-token text encoded as text: what Tokenizer.encode does). The byte-level BPE
vocabulary is written once per pre-tokenizer type, differing only in tokenizer.ggml.pre; the committed
bpe-vocab.gguf is the llama-bpe one (tests swap the key in memory). Needs Python 3 and the peer only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_COMMIT = "c392e5094ddaf2d1a7c18683214f007fad3fe42b"

# llama.cpp's tokenizer.ggml.pre names (llama-vocab.cpp), grouped by pre-tokenizer type; the first name of
# each group encodes every text, the others the BOS text only (they must behave as the first).
PRE_TYPES = [
    ["default"],
    ["llama-bpe", "llama3", "llama-v3", "falcon3"],
    ["deepseek-llm"],
    ["deepseek-coder"],
    ["deepseek-v3"],
    ["falcon"],
    ["mpt"],
    ["starcoder"],
    ["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe"],
    ["refact"],
    ["command-r"],
    ["qwen2", "deepseek-r1-qwen", "megrez"],
    ["stablelm2"],
    ["olmo"],
    ["dbrx"],
    ["smaug-bpe"],
    ["poro-chat"],
    ["chatglm-bpe"],
    ["viking"],
    ["jais"],
    ["tekken"],
    ["smollm"],
    ["codeshell"],
    ["bloom"],
    ["gpt3-finnish"],
    ["exaone"],
    ["chameleon"],
    ["minerva-7b"],
]
FLAGS = ["--ids", "--no-escape", "--no-parse-special", "--log-disable"]


def tokenize(peer, vocab, text_file, bos):
    cmd = [peer, "-m", vocab, "-f", text_file] + FLAGS + ([] if bos else ["--no-bos"])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    return json.loads(out)


def main():
    peer = sys.argv[1]
    with open(os.path.join(HERE, "texts.json"), encoding="utf-8") as f:
        texts = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, text in enumerate(texts["texts"] + [texts["bos_text"]]):
            path = os.path.join(tmp, "text%d.txt" % i)
            with open(path, "wb") as f:
                f.write(text.encode("utf-8"))
            files.append(path)
        bos_file = files[-1]
        files = files[:-1]

        def vocab_for(pre):
            d = os.path.join(tmp, "pre-" + pre)
            if not os.path.isdir(d):
                os.makedirs(d)
                subprocess.run([sys.executable, os.path.join(HERE, "make_vocab.py"), d, pre], check=True)
            return d

        bpe = {"texts": {}, "with_bos": {}}
        for names in PRE_TYPES:
            d = vocab_for(names[0])
            bpe["texts"][names[0]] = [tokenize(peer, os.path.join(d, "bpe-vocab.gguf"), f, False) for f in files]
            for name in names:
                v = os.path.join(d if name == names[0] else vocab_for(name), "bpe-vocab.gguf")
                bpe["with_bos"][name] = tokenize(peer, v, bos_file, True)
        # no tokenizer.ggml.pre at all: llama.cpp's "default"
        bpe["with_bos"]["-"] = tokenize(peer, os.path.join(vocab_for("-"), "bpe-vocab.gguf"), bos_file, True)

        base = vocab_for("llama-bpe")
        no_prefix = os.path.join(tmp, "no-prefix")
        os.makedirs(no_prefix)
        subprocess.run([sys.executable, os.path.join(HERE, "make_vocab.py"), no_prefix, "no-space-prefix"], check=True)
        spm_vocab = os.path.join(base, "spm-vocab.gguf")
        spm = {
            "texts": [tokenize(peer, spm_vocab, f, False) for f in files],
            "with_bos": tokenize(peer, spm_vocab, bos_file, True),
            "no_space_prefix": [tokenize(peer, os.path.join(no_prefix, "spm-vocab-no-prefix.gguf"), f, False) for f in files],
        }
        for name in ["bpe-vocab.gguf", "spm-vocab.gguf"]:
            with open(os.path.join(base, name), "rb") as src, open(os.path.join(HERE, name), "wb") as dst:
                dst.write(src.read())

    expected = {
        "peer": "llama.cpp " + PEER_COMMIT,
        "command": "llama-tokenize -m VOCAB -f TEXT " + " ".join(FLAGS) + " [--no-bos]",
        "bpe": dict(vocab="bpe-vocab.gguf", **bpe),
        "spm": dict(vocab="spm-vocab.gguf", **spm),
    }
    # one line per list of ids
    text = json.dumps(expected, indent=1)
    text = re.sub(r"\[[\d,\s]*\]", lambda m: "[" + ",".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
