package org.recycledattention.model.tokenizer;

/**
 * The character classes llama.cpp's pre-tokenizers see (its {@code unicode_cpt_flags}): one general
 * category per code point ({@code \p{L}}, {@code \p{N}}, ...) plus White_Space.
 *
 * <p>llama.cpp's tables are Unicode 15.1; this JDK's {@link Character} data is newer. The code
 * points a later Unicode version assigned are reported {@link #UNDEFINED}, as llama.cpp sees them,
 * so that both split text identically ({@code CodepointFlagsTest} compares every code point with
 * llama.cpp's table). White_Space is the Unicode property (25 code points), not {@link
 * Character#isWhitespace}: it includes the no-break spaces and excludes U+001C..U+001F.
 */
final class CodepointFlags {
  static final int UNDEFINED = 0x0001;

  /** {@code \p{N}}. */
  static final int NUMBER = 0x0002;

  /** {@code \p{L}}. */
  static final int LETTER = 0x0004;

  /** {@code \p{Z}}. */
  static final int SEPARATOR = 0x0008;

  /** {@code \p{M}}. */
  static final int MARK = 0x0010;

  /** {@code \p{P}}. */
  static final int PUNCTUATION = 0x0020;

  /** {@code \p{S}}. */
  static final int SYMBOL = 0x0040;

  /** {@code \p{C}} other than unassigned. */
  static final int CONTROL = 0x0080;

  /** The Unicode White_Space property ({@code \s} of Python and Rust). */
  static final int WHITESPACE = 0x0100;

  /** The general-category bits (exactly one is set for every code point). */
  static final int CATEGORIES = 0x00FF;

  /**
   * Code points assigned by Unicode 16.0, unassigned in llama.cpp's Unicode 15.1 tables: inclusive
   * (first, last) pairs, ascending.
   */
  private static final int[] NEWER_THAN_LLAMA_CPP = {
    0x897, 0x897,  0x1B4E, 0x1B4F,  0x1B7F, 0x1B7F,  0x1C89, 0x1C8A,  0x2427, 0x2429,  0x31E4, 0x31E5,
    0xA7CB, 0xA7CD,  0xA7DA, 0xA7DC,  0x105C0, 0x105F3,  0x10D40, 0x10D65,  0x10D69, 0x10D85,  0x10D8E, 0x10D8F,
    0x10EC2, 0x10EC4,  0x10EFC, 0x10EFC,  0x11380, 0x11389,  0x1138B, 0x1138B,  0x1138E, 0x1138E,  0x11390, 0x113B5,
    0x113B7, 0x113C0,  0x113C2, 0x113C2,  0x113C5, 0x113C5,  0x113C7, 0x113CA,  0x113CC, 0x113D5,  0x113D7, 0x113D8,
    0x113E1, 0x113E2,  0x116D0, 0x116E3,  0x11BC0, 0x11BE1,  0x11BF0, 0x11BF9,  0x11F5A, 0x11F5A,  0x13460, 0x143FA,
    0x16100, 0x16139,  0x16D40, 0x16D79,  0x18CFF, 0x18CFF,  0x1CC00, 0x1CCF9,  0x1CD00, 0x1CEB3,  0x1E5D0, 0x1E5FA,
    0x1E5FF, 0x1E5FF,  0x1F8B2, 0x1F8BB,  0x1F8C0, 0x1F8C1,  0x1FA89, 0x1FA89,  0x1FA8F, 0x1FA8F,  0x1FABE, 0x1FABE,
    0x1FAC6, 0x1FAC6,  0x1FADC, 0x1FADC,  0x1FADF, 0x1FADF,  0x1FAE9, 0x1FAE9,  0x1FBCB, 0x1FBEF,
  };

  private CodepointFlags() {}

  /** The flags of {@code cp}: one category bit, plus {@link #WHITESPACE} where it applies. */
  static int of(int cp) {
    int flags = category(cp);
    return isWhitespace(cp) ? flags | WHITESPACE : flags;
  }

  static boolean isWhitespace(int cp) {
    return switch (cp) {
      case 0x09,
          0x0A,
          0x0B,
          0x0C,
          0x0D,
          0x20,
          0x85,
          0xA0,
          0x1680,
          0x2028,
          0x2029,
          0x202F,
          0x205F,
          0x3000 ->
          true;
      default -> cp >= 0x2000 && cp <= 0x200A;
    };
  }

  private static int category(int cp) {
    if (cp < 0 || cp > Character.MAX_CODE_POINT) {
      return UNDEFINED;
    }
    return switch (Character.getType(cp)) {
      case Character.UNASSIGNED -> UNDEFINED;
      case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE ->
          CONTROL;
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER ->
          newerThanLlamaCpp(cp) ? UNDEFINED : LETTER;
      case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
          newerThanLlamaCpp(cp) ? UNDEFINED : MARK;
      case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER ->
          newerThanLlamaCpp(cp) ? UNDEFINED : NUMBER;
      case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
          SEPARATOR;
      case Character.MATH_SYMBOL,
          Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL ->
          newerThanLlamaCpp(cp) ? UNDEFINED : SYMBOL;
      default ->
          newerThanLlamaCpp(cp) ? UNDEFINED : PUNCTUATION; // the seven punctuation categories
    };
  }

  private static boolean newerThanLlamaCpp(int cp) {
    // a handful of ranges: a linear scan is cheaper than a search
    for (int i = 0; i < NEWER_THAN_LLAMA_CPP.length && NEWER_THAN_LLAMA_CPP[i] <= cp; i += 2) {
      if (cp <= NEWER_THAN_LLAMA_CPP[i + 1]) {
        return true;
      }
    }
    return false;
  }
}
