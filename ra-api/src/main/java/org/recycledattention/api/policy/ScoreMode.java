package org.recycledattention.api.policy;

/** Which attention scores a step returns. */
public enum ScoreMode {
  /** No scores. */
  NONE,
  /** The attention probabilities of the newest query only. */
  LAST_QUERY,
  /**
   * The attention probabilities summed over every query of the step (H2O's accumulated
   * attention during prefill). Equal to {@link #LAST_QUERY} for a single-query step.
   */
  SUM
}
