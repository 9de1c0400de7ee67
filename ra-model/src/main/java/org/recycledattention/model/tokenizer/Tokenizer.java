package org.recycledattention.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations: {@link SentencePieceTokenizer} (GGUF {@code llama},
 * llama2.c {@code tokenizer.bin}, SentencePiece-like {@code tokenizer.json}) and
 * {@link ByteLevelBpeTokenizer} (GGUF {@code gpt2}, byte-level {@code tokenizer.json}); build them
 * with {@link Tokenizers}.
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

  /**
   * What {@code id} shows as in a token listing, as llama.cpp's {@code llama-tokenize} prints it (its
   * {@code token_to_piece} with special tokens shown): control, unknown and user-defined pieces as stored,
   * text pieces as the bytes they decode to (a SentencePiece marker as a space), byte pieces as their byte,
   * other kinds as nothing. A byte piece alone need not be valid UTF-8. (This default shows control pieces
   * as stored and everything else as {@link #decode} gives it alone.)
   *
   * @throws IllegalArgumentException when {@code id} is outside the vocabulary
   */
  default byte[] pieceBytes(int id) {
    if (id < 0 || id >= vocabSize()) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize());
    }
    return (isControl(id) ? piece(id) : decode(new int[] {id})).getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes text; special-token text is not interpreted. */
  int[] encode(String text, boolean addBos);

  /**
   * Decodes ids, taken as a whole text, to text (invalid UTF-8 becomes U+FFFD); control tokens
   * give "". {@code decode(encode(s, addBos))} is {@code s}.
   */
  String decode(int[] ids);

  /**
   * A streaming decoder: feed ids one at a time, get text that is always valid UTF-8. It continues
   * a text (for example generated tokens after a prompt), so SentencePiece pieces keep their
   * leading space unless they follow BOS; on ids that start with BOS it agrees with {@link #decode}.
   */
  StreamingDecoder newDecoder();

  /** The kind of vocabulary entry {@code id} is (control tokens decode to ""). */
  default TokenType tokenType(int id) {
    return TokenType.NORMAL;
  }

  /**
   * True when {@code id} is a control token (BOS, EOS, chat markers): it decodes to "" and
   * {@link #encode} never produces it from plain text.
   */
  default boolean isControl(int id) {
    return tokenType(id) == TokenType.CONTROL;
  }

  /** Whether the model expects a BOS at the start of a prompt (GGUF {@code add_bos_token}). */
  default boolean addBosByDefault() {
    return bos() >= 0;
  }

  /**
   * Ids that end generation: {@link #eos()} plus any end-of-turn token the file names (for
   * example Llama 3's {@code <|eot_id|>}). Never null; may be empty.
   */
  default int[] stopTokens() {
    return eos() >= 0 ? new int[] {eos()} : new int[0];
  }

  /** The id whose stored piece is exactly {@code piece} (for example a chat marker), if any. */
  default OptionalInt find(String piece) {
    for (int id = 0; id < vocabSize(); id++) {
      if (piece(id).equals(piece)) {
        return OptionalInt.of(id);
      }
    }
    return OptionalInt.empty();
  }

  /** Decodes ids one by one, holding back incomplete UTF-8 sequences. Not thread-safe. */
  interface StreamingDecoder {
    /** Text completed by this id; may be empty. */
    String next(int id);

    /** Whatever is held back (as U+FFFD if incomplete). */
    String finish();
  }
}
