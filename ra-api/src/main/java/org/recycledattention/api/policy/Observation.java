package org.recycledattention.api.policy;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.plan.StepPlan;

/**
 * What a policy sees after the backend has attended: the plan it made and the result.
 *
 * @param plan the plan of this step
 * @param result tokens attended and, when the plan asked, scores (valid until the next call on the
 *     same layer of the cache)
 */
public record Observation(StepPlan plan, AttentionResult result) {
  public Observation {
    requireNonNull(plan, "plan is null");
    requireNonNull(result, "result is null");
  }
}
