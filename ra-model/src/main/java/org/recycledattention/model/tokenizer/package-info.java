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
 * llama2.c does). The pre-tokenizer regexes run on {@link java.util.regex} with {@code UNICODE_CHARACTER_CLASS} and are
 * checked against Python's {@code regex} module on random Unicode text.
 *
 * <p>Depends only on {@code engine.model} (for {@code ModelFormatException}) and Jackson.
 */
package org.recycledattention.model.tokenizer;
