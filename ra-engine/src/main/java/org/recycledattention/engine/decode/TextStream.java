package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Generated ids to final text: decodes with a tokenizer's {@linkplain Tokenizer#newDecoder()
 * streaming decoder} (which holds back incomplete UTF-8) and applies stop strings. Text that could
 * still be the beginning of a stop string is held back until the next token decides; when a stop
 * string appears, the text before its first occurrence is released and the stream is {@link
 * #stopped()}. Without stop strings every decoded piece is released at once.
 *
 * <p>Why holding back is enough: a stop string can begin only in text not yet released, because
 * released text never ends with a prefix of a stop string.
 *
 * <p><b>NOTE:</b> not thread-safe; one per generation.
 */
public final class TextStream {
  private final Tokenizer.StreamingDecoder decoder;
  private final List<String> stops;
  private final StringBuilder pending = new StringBuilder();
  private final StringBuilder released = new StringBuilder();
  private boolean stopped;
  private boolean finished;

  /**
   * @param stops stop strings, none empty
   * @throws IllegalArgumentException for an empty stop string
   */
  public TextStream(Tokenizer tokenizer, List<String> stops) {
    this.decoder = requireNonNull(tokenizer, "tokenizer is null").newDecoder();
    this.stops = List.copyOf(stops);
    for (String s : this.stops) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("a stop string is empty; give non-empty stop strings");
      }
    }
  }

  /**
   * Decodes one more id.
   *
   * @return the text that became final (may be empty)
   * @throws IllegalStateException after the stream stopped or finished
   */
  public String push(int id) {
    if (stopped || finished) {
      throw new IllegalStateException(
          "the text stream has " + (stopped ? "stopped at a stop string" : "finished"));
    }
    pending.append(decoder.next(id));
    return release(false);
  }

  /**
   * Ends the stream: releases what was held back (incomplete UTF-8 as U+FFFD), unless a stop string
   * already ended it. Idempotent.
   */
  public String finish() {
    if (stopped || finished) {
      return "";
    }
    finished = true;
    pending.append(decoder.finish());
    return release(true);
  }

  /** Whether a stop string ended the text. */
  public boolean stopped() {
    return stopped;
  }

  /** Every piece released so far, concatenated. */
  public String text() {
    return released.toString();
  }

  private String release(boolean end) {
    int cut = -1;
    for (String s : stops) {
      int at = pending.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
      }
    }
    String out;
    if (cut >= 0) {
      stopped = true;
      out = pending.substring(0, cut);
      pending.setLength(0);
    } else {
      int keep = end ? 0 : heldBack();
      out = pending.substring(0, pending.length() - keep);
      pending.delete(0, pending.length() - keep);
    }
    released.append(out);
    return out;
  }

  /**
   * The length of the longest suffix of the pending text that is a proper prefix of a stop string.
   */
  private int heldBack() {
    int best = 0;
    for (String s : stops) {
      for (int len = Math.min(s.length() - 1, pending.length()); len > best; len--) {
        if (endsWith(pending, s, len)) {
          best = len;
          break;
        }
      }
    }
    return best;
  }

  /** Whether {@code text} ends with the first {@code len} characters of {@code s}. */
  private static boolean endsWith(CharSequence text, String s, int len) {
    int from = text.length() - len;
    for (int i = 0; i < len; i++) {
      if (text.charAt(from + i) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
