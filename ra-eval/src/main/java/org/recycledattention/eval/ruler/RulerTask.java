package org.recycledattention.eval.ruler;

import java.util.Arrays;
import java.util.Locale;
import org.recycledattention.api.config.ConfigException;

/**
 * The task families. Names are the CLI's ({@code --tasks niah_single,vt}). The first seven are
 * RULER's; {@link #RECALL}, {@link #INDUCTION} and {@link #ECHO} are this project's, made for training (see there).
 */
public enum RulerTask {
  NIAH_SINGLE, NIAH_MULTIKEY, NIAH_MULTIVALUE, NIAH_MULTIQUERY, VT, CWE, FWE,
  /**
   * Multi-query associative recall in the needles' format (not RULER's): needles of several keys,
   * then every key asked in a random order, each answered in turn, the last answer left to the
   * model ({@link RulerGenerator}). The values share their digit pairs, so only matching the key and
   * copying its own value answers it: made to teach a small model key matching before {@link
   * #NIAH_MULTIKEY}.
   */
  RECALL,
  /**
   * Copying by induction (not RULER's): a list of values in one sentence, to be repeated in order;
   * no token occurs twice in it, so after the first value each answer token is the one that followed
   * the previous answer token ({@link RulerGenerator}). A warm-up for the copying that the needle
   * tasks need once they have found their value.
   */
  INDUCTION,
  /**
   * {@link #RECALL} with every question in the needles' own words (not RULER's): {@code One of the
   * special magic numbers for K is: V.}, the needles repeated in a random order with the values left
   * to the model. The key stands as far before the value in a question as in its needle, so one
   * look-back (the value's position to its key, three tokens back) serves both sides of the match,
   * where {@code recall}'s question puts the key seven tokens before its value; and no value token
   * occurs twice, so only the first one needs the key, the rest is an induction head's copy. A first
   * rung for key matching ({@link RulerGenerator}).
   */
  ECHO;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RulerTask of(String id) {
    for (RulerTask t : values()) {
      if (t.id().equals(id.strip().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new ConfigException("unknown task '" + id + "'; expected one of "
        + String.join(", ", Arrays.stream(values()).map(RulerTask::id).toList()));
  }
}
