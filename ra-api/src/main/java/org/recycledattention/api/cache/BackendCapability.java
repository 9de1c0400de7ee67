package org.recycledattention.api.cache;


/**
 * Optional features of a backend (Trino's {@code hasBehavior}). An operation that needs a capability
 * the backend did not declare throws {@link UnsupportedOperationException} whose message names the
 * capability; the conformance kit checks both directions.
 */
public enum BackendCapability {
  /** Attention probabilities come back when a plan asks ({@link Scores}). */
  SCORES,
  /** {@code StepPlan.Partial}, {@link WorkingSet#gatherPartial}, {@link WorkingSet#appendToPartial}. */
  PARTIAL_CACHE,
  /** {@link WorkingSet#evict} and {@link WorkingSet#retain} physically free entries. */
  EVICTION,
  /** {@code attend} with more than one query (batched, causal prefill). Without it the engine prefills token by token. */
  MULTI_QUERY;

  /** The exception to throw when {@code operation} needs this capability and the backend lacks it. */
  public UnsupportedOperationException unsupported(String backend, String operation) {
    return new UnsupportedOperationException("backend '" + backend + "' does not support capability " + name() + " (needed by " + operation + ")");
  }
}
