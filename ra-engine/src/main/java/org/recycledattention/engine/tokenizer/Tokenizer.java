package org.recycledattention.engine.tokenizer;

/**
 * Text to token ids and back. Implementations: SentencePiece-style ({@code llama}), byte-level BPE
 * ({@code gpt2}), llama2.c {@code tokenizer.bin}.
 *
 * <p>Immutable and thread-safe; {@link #newDecoder()} gives a stateful, single-threaded decoder.
 */
public interface Tokenizer {
  int vocabSize();

  /** Beginning-of-sequence id, or -1. */
  int bos();

  /** End-of-sequence id, or -1. */
  int eos();

  /** The vocabulary entry of {@code id}, as stored. */
  String piece(int id);

  /** Encodes text; special-token text is not interpreted. */
  int[] encode(String text, boolean addBos);

  /** Decodes ids to text (invalid UTF-8 becomes U+FFFD). */
  String decode(int[] ids);

  /** A streaming decoder: feed ids one at a time, get text that is always valid UTF-8. */
  StreamingDecoder newDecoder();

  /** Decodes ids one by one, holding back incomplete UTF-8 sequences. Not thread-safe. */
  interface StreamingDecoder {
    /** Text completed by this id; may be empty. */
    String next(int id);

    /** Whatever is held back (as U+FFFD if incomplete). */
    String finish();
  }
}
