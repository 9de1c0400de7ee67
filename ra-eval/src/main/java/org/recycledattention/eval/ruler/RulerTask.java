package org.recycledattention.eval.ruler;

import java.util.Arrays;
import java.util.Locale;
import org.recycledattention.api.config.ConfigException;

/**
 * The task families. Names are the CLI's ({@code --tasks niah_single,vt}). The first seven are
 * RULER's; {@link #RECALL} and {@link #INDUCTION} are this project's, made for training (see there).
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
  INDUCTION;

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
