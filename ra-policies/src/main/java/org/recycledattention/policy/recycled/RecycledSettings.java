package org.recycledattention.policy.recycled;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.plan.GroupReduction;

/**
 * The knobs of Recycled Attention, in the paper's words.
 *
 * @param budget K: entries per layer and KV head in the partial cache {@code C_p}
 * @param schedule fixed stride or query-similarity (dynamic)
 * @param stride S: with {@link RecycleSchedule#FIXED}, decode step {@code d} (0-based) is a full
 *     step iff {@code (d + 1) % S == 0}
 * @param checkInterval QC: with {@link RecycleSchedule#DYNAMIC}, the query similarity is checked
 *     at decode steps with {@code (d + 1) % QC == 0}
 * @param querySimilarityThreshold s: a checked layer does a full step iff the cosine similarity is
 *     below it
 * @param groupReduction how the query heads of a KV group are combined into one score
 * @param poolKernel odd 1-D max-pooling kernel applied to the scores before the top-K
 * @param localTokens the most recent tokens always kept inside the budget at a selection
 */
public record RecycledSettings(int budget, RecycleSchedule schedule, int stride, int checkInterval, double querySimilarityThreshold,
    GroupReduction groupReduction, int poolKernel, int localTokens) {
  public RecycledSettings {
    requireNonNull(schedule, "schedule is null");
    requireNonNull(groupReduction, "groupReduction is null");
    if (budget < 1 || stride < 1 || checkInterval < 1 || poolKernel < 1 || poolKernel % 2 == 0 || localTokens < 0 || localTokens > budget
        || !(querySimilarityThreshold >= -1 && querySimilarityThreshold <= 1)) {
      throw new IllegalArgumentException("invalid recycled attention settings: " + this0(budget, stride, checkInterval,
          querySimilarityThreshold, poolKernel, localTokens));
    }
  }

  private static String this0(int budget, int stride, int checkInterval, double threshold, int poolKernel, int localTokens) {
    return "budget=" + budget + " (>= 1), stride=" + stride + " (>= 1), checkInterval=" + checkInterval + " (>= 1), querySimilarityThreshold="
        + threshold + " (in [-1, 1]), poolKernel=" + poolKernel + " (odd, >= 1), localTokens=" + localTokens + " (0 .. budget)";
  }
}
