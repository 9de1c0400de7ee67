/**
 * Tokenizers: SentencePiece-style BPE with scores ({@link org.recycledattention.model.tokenizer.SentencePieceTokenizer}:
 * GGUF {@code llama}, llama2.c {@code tokenizer.bin}, Llama-2-style {@code tokenizer.json}) and byte-level BPE with
 * ranked merges ({@link org.recycledattention.model.tokenizer.ByteLevelBpeTokenizer}: GGUF {@code gpt2}, GPT-2 /
 * Llama 3 / Qwen2 {@code tokenizer.json}), built by {@link org.recycledattention.model.tokenizer.Tokenizers}.
 *
 * <p>Both follow llama.cpp's algorithms (a heap of adjacent pairs, ties to the leftmost pair; primitive arrays, no
 * object per pair), so encoding is O(n log n) in the text length; a property test checks them against the plain
 * quadratic loops of llama2.c and GPT-2. Plain text never encodes to a control token. Decoding goes through bytes, and
 * the streaming decoder holds back UTF-8 sequences that byte-fallback tokens split across tokens.
 *
 * <p>{@code decode(ids)} takes the ids as a whole text (SentencePiece's dummy-prefix space of the first piece is
 * dropped, as Hugging Face does); {@code newDecoder()} continues a text (the space is dropped only right after BOS, as
 * llama2.c does).
 *
 * <h2>Pre-tokenizers</h2>
 * Byte-level BPE merges within words that a {@link org.recycledattention.model.tokenizer.PreTokenizer} cuts.
 * GGUF files name one of llama.cpp's in {@code tokenizer.ggml.pre}:
 * {@link org.recycledattention.model.tokenizer.LlamaPreTokenizer} has every name llama.cpp accepts (28 types, 42 names; an unknown name is an error, an absent one llama.cpp's
 * {@code default}) and splits exactly as llama.cpp does, which is not always what the regexes say in Python:
 * {@link org.recycledattention.model.tokenizer.UnicodeRegexSplitter} reproduces llama.cpp's hand-written GPT-2 and
 * Llama 3 splitters and its way of running other regexes (one category placeholder per non-ASCII code point,
 * ASCII-only {@code \s}), with llama.cpp's Unicode 15.1 classes
 * ({@link org.recycledattention.model.tokenizer.CodepointFlags}).
 * Tests compare the ids with {@code llama-tokenize}'s for every type on fixture vocabularies. {@code tokenizer.json}
 * files carry their own regex: {@link org.recycledattention.model.tokenizer.RegexPreTokenizer} runs it on
 * {@link java.util.regex} with {@code UNICODE_CHARACTER_CLASS}, checked against Python's {@code regex} module.
 *
 * <p>Depends only on {@code org.recycledattention.model} (for {@code ModelFormatException}) and Jackson.
 */
package org.recycledattention.model.tokenizer;
