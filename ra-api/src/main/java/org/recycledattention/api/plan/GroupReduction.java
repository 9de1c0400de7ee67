package org.recycledattention.api.plan;

/**
 * How the attention probabilities of the query heads that share one KV head are combined into one
 * score per KV head (grouped-query attention). The paper's ablation: max ≈ mean > first.
 */
public enum GroupReduction {
  MAX, MEAN, FIRST
}
