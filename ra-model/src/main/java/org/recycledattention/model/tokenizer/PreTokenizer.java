package org.recycledattention.model.tokenizer;

import java.util.List;

/**
 * Splits text into the words that byte-level BPE merges within (merges never cross a word's end):
 * {@link LlamaPreTokenizer} as llama.cpp does for GGUF's {@code tokenizer.ggml.pre}, {@link
 * RegexPreTokenizer} as Hugging Face's {@code tokenizer.json} describes it. Immutable and
 * thread-safe.
 */
public sealed interface PreTokenizer permits LlamaPreTokenizer, RegexPreTokenizer {
  /** The words of {@code text}, in order, none empty; concatenated they are {@code text}. */
  List<String> split(String text);
}
