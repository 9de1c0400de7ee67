package org.recycledattention.model.io;

import java.util.Locale;

/**
 * Text from outside the program (a model file, a config file, a plugin's name, description or
 * exception message) made safe to print: control characters and the Unicode characters that
 * reorder or hide text are escaped ({@code \x1B}, {@code \n}, {@code \u202E}), and the result is
 * cut to a bound with an ellipsis and the original length. Escaped text is plain printable text: no
 * escape sequence reaches a terminal, and one message stays one line.
 *
 * <p>Stateless and thread-safe.
 */
public final class SafeText {
  /** The longest a string from outside may be in a message, in characters. */
  public static final int MAX_CHARS = 200;
  /** The longest a whole error line may be, in characters. */
  public static final int MAX_LINE = 2000;

  private SafeText() {}

  /** {@code text} escaped and cut to {@value #MAX_CHARS} characters; "null" for null. */
  public static String of(String text) {
    return of(text, MAX_CHARS);
  }

  /** {@code text} escaped and cut to {@code max} characters (plus the ellipsis and the original length). */
  public static String of(String text, int max) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= max) {
        return out.append("\u2026 (").append(text.length()).append(" characters)").toString();
      }
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        append(out, c);
      }
    }
    return out.toString();
  }

  /** {@code text} escaped, not cut: for messages assembled from bounded parts. */
  public static String escape(String text) {
    return of(text, Integer.MAX_VALUE);
  }

  /**
   * A message as one line for a terminal: line breaks (with the blanks around them) become one
   * space, the rest is escaped, and the line is cut to {@value #MAX_LINE} characters.
   */
  public static String line(String message) {
    if (message == null) {
      return "unknown error";
    }
    return of(message.strip().replaceAll("\\s*[\\r\\n\\u2028\\u2029]+\\s*", " "), MAX_LINE);
  }

  /** Up to {@code max} bytes of {@code bytes} from {@code from}, as hex ("89 50 4e 47 ..."), for describing binary data. */
  public static String hex(byte[] bytes, int from, int max) {
    StringBuilder sb = new StringBuilder();
    int end = Math.min(bytes.length, from + max);
    for (int i = from; i < end; i++) {
      sb.append(sb.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
    }
    return end < bytes.length ? sb.append(" ...").toString() : sb.toString();
  }

  private static void append(StringBuilder out, char c) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (c < 0x20 || c >= 0x7F && c <= 0x9F) {
          out.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
        } else if (hidesOrReorders(c) || Character.isSurrogate(c)) {
          out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
        } else {
          out.append(c);
        }
      }
    }
  }

  /** Bidirectional controls, zero-width and invisible format characters, line and paragraph separators. */
  private static boolean hidesOrReorders(char c) {
    return c == '\u061C' || c >= '\u200B' && c <= '\u200F' || c >= '\u2028' && c <= '\u202E' || c >= '\u2060' && c <= '\u206F'
        || c == '\uFEFF' || c >= '\uFFF9' && c <= '\uFFFB';
  }
}
