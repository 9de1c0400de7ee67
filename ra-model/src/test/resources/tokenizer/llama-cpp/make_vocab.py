#!/usr/bin/env python3
"""Writes the vocabulary-only GGUF files of the llama.cpp tokenizer fixtures (no tensors, no weights).

  make_vocab.py OUT_DIR [PRE]

bpe-vocab.gguf: a byte-level BPE vocabulary (tokenizer.ggml.model = gpt2) whose merges are learnt from
corpus.txt here: the 256 byte characters, one piece per merge, a few whole words that no merge builds
(so that llama.cpp's ignore_merges shows), control tokens and one user-defined token. tokenizer.ggml.pre
is PRE (default llama-bpe); "-" leaves the key out.

spm-vocab.gguf: a SentencePiece vocabulary (tokenizer.ggml.model = llama) learnt the same way on
code points: <unk>, <s>, </s>, the 256 <0xNN> byte pieces, one piece per merge (score -rank), the
characters seen twice or more, and one user-defined token. With PRE "no-space-prefix" it is written as
spm-vocab-no-prefix.gguf with tokenizer.ggml.add_space_prefix = false.

Deterministic: the same corpus gives the same bytes. Needs only Python 3.
"""
import collections
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BPE_MERGES = 900
SPM_MERGES = 500


def byte_to_unicode():
    """GPT-2's printable spelling of bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def learn_merges(words, count):
    """Plain BPE: repeatedly merge the most frequent adjacent pair (ties: the smallest pair)."""
    vocab = collections.Counter(tuple(w) for w in words)
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for word, freq in vocab.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += freq
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        merged = collections.Counter()
        for word, freq in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += freq
        vocab = merged
    return merges


# GGUF v3, metadata only (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md)
T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY = 4, 5, 6, 7, 8, 9


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, value):
    if kind == T_UINT32:
        return struct.pack("<I", value)
    if kind == T_INT32:
        return struct.pack("<i", value)
    if kind == T_FLOAT32:
        return struct.pack("<f", value)
    if kind == T_BOOL:
        return struct.pack("<?", value)
    if kind == T_STRING:
        return gguf_string(value)
    raise ValueError(kind)


def write_gguf(path, kvs):
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)))
    for key, kind, value in kvs:
        out += gguf_string(key)
        if isinstance(kind, tuple):  # (T_ARRAY, element type)
            out += struct.pack("<IIQ", T_ARRAY, kind[1], len(value))
            for v in value:
                out += gguf_value(kind[1], v)
        else:
            out += struct.pack("<I", kind) + gguf_value(kind, value)
    out += b"\0" * (-len(out) % 32)
    with open(path, "wb") as f:
        f.write(out)


def llama_header():
    # the hyper-parameters llama.cpp reads before the vocabulary; no tensors follow
    return [
        ("general.architecture", T_STRING, "llama"),
        ("general.name", T_STRING, "tokenizer fixture"),
        ("llama.context_length", T_UINT32, 2048),
        ("llama.embedding_length", T_UINT32, 64),
        ("llama.block_count", T_UINT32, 1),
        ("llama.feed_forward_length", T_UINT32, 128),
        ("llama.attention.head_count", T_UINT32, 4),
        ("llama.attention.layer_norm_rms_epsilon", T_FLOAT32, 1e-5),
    ]


def bpe_vocab(corpus, pre, path):
    b2u = byte_to_unicode()
    # merges are learnt on coarse chunks (white space, then anything but white space; and the reverse), so
    # that they cross the places where pre-tokenizers differ (letters and digits, case, punctuation,
    # apostrophes, newlines): a different split then gives different ids
    words = re.findall(r"\s*\S+", corpus) + re.findall(r"\S*\s+", corpus)
    mapped = ["".join(b2u[b] for b in w.encode("utf-8")) for w in words]
    merges = learn_merges(mapped, BPE_MERGES)
    tokens = [b2u[b] for b in range(256)]
    for a, b in merges:
        if a + b not in tokens:
            tokens.append(a + b)
    types = [1] * len(tokens)
    # whole words no merge builds: taken whole only where llama.cpp ignores merges (llama-bpe, tekken)
    for word in ["Hello", " world", " tokenizer", " Привет", "123", "   ", "\n\n", "日本語"]:
        piece = "".join(b2u[b] for b in word.encode("utf-8"))
        if piece not in tokens:
            tokens.append(piece)
            types.append(1)
    # <mask>: llama.cpp refuses jina-v2-* vocabularies without one
    specials = [("<|begin_of_text|>", 3), ("<|end_of_text|>", 3), ("<|eot_id|>", 3), ("<mask>", 3), ("<|user|>", 4)]
    for text, kind in specials:
        tokens.append(text)
        types.append(kind)
    kvs = llama_header() + [("tokenizer.ggml.model", T_STRING, "gpt2")]
    if pre != "-":
        kvs.append(("tokenizer.ggml.pre", T_STRING, pre))
    kvs += [
        ("tokenizer.ggml.tokens", (T_ARRAY, T_STRING), tokens),
        ("tokenizer.ggml.token_type", (T_ARRAY, T_INT32), types),
        ("tokenizer.ggml.merges", (T_ARRAY, T_STRING), [a + " " + b for a, b in merges]),
        ("tokenizer.ggml.bos_token_id", T_UINT32, tokens.index("<|begin_of_text|>")),
        ("tokenizer.ggml.eos_token_id", T_UINT32, tokens.index("<|end_of_text|>")),
    ]
    write_gguf(path, kvs)


def spm_vocab(corpus, add_space_prefix, path):
    words = ["\u2581" + w for w in corpus.replace("\n", " \n ").split(" ") if w]
    merges = learn_merges(words, SPM_MERGES)
    chars = collections.Counter(c for w in words for c in w)
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [2, 3, 3]
    for b in range(256):
        tokens.append("<0x%02X>" % b)
        scores.append(0.0)
        types.append(6)
    for rank, (a, b) in enumerate(merges):
        if a + b not in tokens:
            tokens.append(a + b)
            scores.append(-float(rank))
            types.append(1)
    for j, (c, n) in enumerate(sorted(chars.items(), key=lambda kv: (-kv[1], kv[0]))):
        if n >= 2 and c not in tokens:
            tokens.append(c)
            scores.append(-float(len(merges) + j))
            types.append(1)
    tokens.append("<|user|>")
    scores.append(0.0)
    types.append(4)
    kvs = llama_header() + [
        ("tokenizer.ggml.model", T_STRING, "llama"),
        ("tokenizer.ggml.pre", T_STRING, "default"),
        ("tokenizer.ggml.tokens", (T_ARRAY, T_STRING), tokens),
        ("tokenizer.ggml.scores", (T_ARRAY, T_FLOAT32), scores),
        ("tokenizer.ggml.token_type", (T_ARRAY, T_INT32), types),
        ("tokenizer.ggml.bos_token_id", T_UINT32, 1),
        ("tokenizer.ggml.eos_token_id", T_UINT32, 2),
        ("tokenizer.ggml.unknown_token_id", T_UINT32, 0),
        ("tokenizer.ggml.add_space_prefix", T_BOOL, add_space_prefix),
    ]
    write_gguf(path, kvs)


def main():
    out = sys.argv[1]
    pre = sys.argv[2] if len(sys.argv) > 2 else "llama-bpe"
    with open(os.path.join(HERE, "corpus.txt"), encoding="utf-8") as f:
        corpus = f.read()
    if pre == "no-space-prefix":
        spm_vocab(corpus, False, os.path.join(out, "spm-vocab-no-prefix.gguf"))
        return
    bpe_vocab(corpus, pre, os.path.join(out, "bpe-vocab.gguf"))
    spm_vocab(corpus, True, os.path.join(out, "spm-vocab.gguf"))


if __name__ == "__main__":
    main()
