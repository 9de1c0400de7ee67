/**
 * Tokenizers: SentencePiece-style BPE with scores ({@link org.recycledattention.engine.tokenizer.SentencePieceTokenizer}:
 * GGUF {@code llama}, llama2.c {@code tokenizer.bin}, Llama-2-style {@code tokenizer.json}) and byte-level BPE with
 * ranked merges ({@link org.recycledattention.engine.tokenizer.ByteLevelBpeTokenizer}: GGUF {@code gpt2}, GPT-2 /
 * Llama 3 / Qwen2 {@code tokenizer.json}), built by {@link org.recycledattention.engine.tokenizer.Tokenizers}.
 *
 * <p>Both follow llama.cpp's algorithms (priority queue over adjacent pairs, ties to the leftmost pair), so encoding
 * is O(n log n) in the text length. Plain text never encodes to a control token. Decoding goes through bytes, and the
 * streaming decoder holds back UTF-8 sequences that byte-fallback tokens split across tokens.
 *
 * <p>Depends only on {@code engine.model} (for {@code ModelFormatException}) and Jackson.
 */
package org.recycledattention.engine.tokenizer;
