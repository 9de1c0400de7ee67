package org.recycledattention.policy.full;

import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;

/** Full attention: stateless. Not thread-safe by contract, though it holds no state. */
public final class FullPolicy implements AttentionPolicy {
  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return StepPlan.Full.NO_SCORES;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    // full attention keeps everything
  }

  @Override
  public String toString() {
    return "full";
  }
}
