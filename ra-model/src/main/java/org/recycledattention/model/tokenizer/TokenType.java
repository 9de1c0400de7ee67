package org.recycledattention.model.tokenizer;

/** The kind of a vocabulary entry, as GGUF's {@code tokenizer.ggml.token_type} numbers them. */
public enum TokenType {
  /** 0 in GGUF; treated like {@link #NORMAL}. */
  UNDEFINED,
  /** Ordinary text piece (1). */
  NORMAL,
  /** The unknown-token placeholder (2); decodes to U+FFFD. */
  UNKNOWN,
  /** BOS, EOS, chat markers (3): decode to "", never produced from plain text. */
  CONTROL,
  /** Added text token (4): decodes to its stored text verbatim. */
  USER_DEFINED,
  /** Reserved slot (5): decodes to "", never produced. */
  UNUSED,
  /** Byte-fallback piece {@code <0xNN>} (6): decodes to that raw byte. */
  BYTE;

  /** The type for GGUF's number; unknown numbers map to {@link #NORMAL}. */
  public static TokenType fromGguf(int code) {
    return switch (code) {
      case 0 -> UNDEFINED;
      case 2 -> UNKNOWN;
      case 3 -> CONTROL;
      case 4 -> USER_DEFINED;
      case 5 -> UNUSED;
      case 6 -> BYTE;
      default -> NORMAL;
    };
  }

  /** GGUF's number for this type. */
  public int ggufCode() {
    return ordinal();
  }
}
