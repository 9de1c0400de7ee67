package org.recycledattention.api.plan;

import static java.util.Objects.requireNonNull;

/**
 * What one attention call reads. A closed set: backends implement exactly these.
 *
 * <p>Policies should keep their plans in constants; a plan is a value.
 */
public sealed interface StepPlan permits StepPlan.Full, StepPlan.Partial {
  /** Which scores come back. */
  ScoreRequest scores();

  /**
   * Attend every resident entry of the main store (the full cache {@code C_f}, or what an evicting
   * policy kept of it). With several queries the mask is causal: the step's new tokens are the last
   * {@code queries} entries and query {@code i} reads entries {@code 0 .. length - queries + i}.
   * Scores, when asked, have one value per resident entry, in slot order.
   */
  record Full(ScoreRequest scores) implements StepPlan {
    public static final Full NO_SCORES = new Full(ScoreRequest.NONE);
    public static final Full LAST_MAX = new Full(ScoreRequest.LAST_MAX);

    public Full {
      requireNonNull(scores, "scores is null");
    }
  }

  /**
   * Attend the partial cache ({@code C_p}, gathered by {@link
   * org.recycledattention.api.cache.WorkingSet#gatherPartial}) followed by the newest entry of the
   * main store (the current token). One query only. Scores, when asked, have {@code
   * partialLength + 1} values: the partial slots in order, then the current token.
   */
  record Partial(ScoreRequest scores) implements StepPlan {
    public static final Partial NO_SCORES = new Partial(ScoreRequest.NONE);

    public Partial {
      requireNonNull(scores, "scores is null");
    }
  }
}
