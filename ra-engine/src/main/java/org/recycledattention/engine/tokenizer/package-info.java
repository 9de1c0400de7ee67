/** Tokenizers: SentencePiece-style, byte-level BPE and llama2.c {@code tokenizer.bin}. */
package org.recycledattention.engine.tokenizer;
