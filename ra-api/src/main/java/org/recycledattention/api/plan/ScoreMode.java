package org.recycledattention.api.plan;

/** Which attention scores a step returns. */
public enum ScoreMode {
  /** No scores. */
  NONE,
  /** The attention probabilities of the newest query only. */
  LAST_QUERY,
  /**
   * The attention probabilities accumulated over every query of the step (H2O's accumulated
   * attention during prefill): each query's probabilities are first reduced over the KV group by
   * the request's {@link GroupReduction}, then the reduced rows are summed over the step's queries
   * (entries a causal query cannot see count 0). Equal to {@link #LAST_QUERY} for a single-query
   * step.
   */
  SUM
}
