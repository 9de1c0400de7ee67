package org.recycledattention.eval.ruler;

import java.util.Arrays;
import java.util.Locale;
import org.recycledattention.api.config.ConfigException;

/** The task families. Names are the CLI's ({@code --tasks niah_single,vt}). */
public enum RulerTask {
  NIAH_SINGLE, NIAH_MULTIKEY, NIAH_MULTIVALUE, NIAH_MULTIQUERY, VT, CWE, FWE;

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
