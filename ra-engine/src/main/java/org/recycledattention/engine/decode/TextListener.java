package org.recycledattention.engine.decode;

/**
 * Receives generated text as soon as it is final: whole characters only (a multi-byte UTF-8
 * character split across tokens arrives once complete), never text that may still turn out to be
 * the start of a stop string. The pieces concatenated are {@link GenerationResult#text()}.
 */
@FunctionalInterface
public interface TextListener {
  TextListener NONE = text -> {};

  /** A non-empty piece of text. */
  void onText(String text);
}
