package org.recycledattention.model.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's reversible byte-to-unicode mapping ({@code bytes_to_unicode} in OpenAI's encoder.py):
 * printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in order, so that
 * byte-level vocabularies are made of printable characters (a space is 'Ġ', U+0120).
 */
final class ByteUnicode {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    Arrays.fill(CHAR_TO_BYTE, -1);
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + n++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteUnicode() {}

  static char toChar(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte {@code c} stands for, or -1 when {@code c} is not in the mapping. */
  static int toByte(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The mapped spelling of UTF-8 bytes. */
  static String encode(byte[] utf8) {
    char[] out = new char[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      out[i] = toChar(utf8[i]);
    }
    return new String(out);
  }
}
