package org.recycledattention.eval.bench;

/** What a decode step's layers attended: all the main store, all the partial cache, or some of each. */
enum StepKind {
  /** Every layer had a full plan (over what the cache holds: all of it, or what eviction kept). */
  FULL("full"),
  /** Every layer attended its partial cache. */
  PARTIAL("partial"),
  /** Some layers of each (a per-layer schedule). */
  MIXED("mixed");

  private final String label;

  StepKind(String label) {
    this.label = label;
  }

  /** The name in reports. */
  String label() {
    return label;
  }

  static StepKind of(long fullLayerSteps, long partialLayerSteps) {
    if (partialLayerSteps == 0) {
      return FULL;
    }
    return fullLayerSteps == 0 ? PARTIAL : MIXED;
  }
}
