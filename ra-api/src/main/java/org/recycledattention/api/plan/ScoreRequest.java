package org.recycledattention.api.plan;

import static java.util.Objects.requireNonNull;

/**
 * Which scores a plan wants back, reduced over the query heads of each KV group by {@code
 * reduction}. Scores are the softmax probabilities, so each query head's row sums to 1.
 */
public record ScoreRequest(ScoreMode mode, GroupReduction reduction) {
  public static final ScoreRequest NONE = new ScoreRequest(ScoreMode.NONE, GroupReduction.MAX);
  public static final ScoreRequest LAST_MAX = new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.MAX);
  public static final ScoreRequest SUM_MAX = new ScoreRequest(ScoreMode.SUM, GroupReduction.MAX);

  public ScoreRequest {
    requireNonNull(mode, "mode is null");
    requireNonNull(reduction, "reduction is null");
  }

  public boolean wanted() {
    return mode != ScoreMode.NONE;
  }
}
