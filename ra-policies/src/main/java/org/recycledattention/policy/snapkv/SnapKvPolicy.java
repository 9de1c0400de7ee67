package org.recycledattention.policy.snapkv;

import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.policy.support.ReplacementCycle;

/** SnapKV for one sequence: see the package documentation. Not thread-safe. */
public final class SnapKvPolicy implements AttentionPolicy {
  private final int budget;
  private final int poolKernel;
  /** [layer]: which slot the next eviction frees, ranked by the selection's pooled scores. */
  private final ReplacementCycle[] eviction;
  private final int[] slotPerHead;

  SnapKvPolicy(int budget, int poolKernel, ModelShape shape) {
    this.budget = budget;
    this.poolKernel = poolKernel;
    this.eviction = new ReplacementCycle[shape.layers()];
    for (int l = 0; l < eviction.length; l++) {
      eviction[l] = new ReplacementCycle(shape.kvHeads(), budget);
    }
    this.slotPerHead = new int[shape.kvHeads()];
  }

  public int budget() {
    return budget;
  }

  public int poolKernel() {
    return poolKernel;
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return step.phase() == Phase.PREFILL_END ? StepPlan.Full.LAST_MAX : StepPlan.Full.NO_SCORES;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    switch (step.phase()) {
      case PREFILL -> { }
      case PREFILL_END -> select(layer, observation, workingSet);
      case DECODE -> {
        int length = workingSet.length();
        if (length <= budget) {
          return;
        }
        if (length > budget + 1) {
          throw new IllegalStateException("layer " + layer + " holds " + length + " entries after a decode step, more than the budget "
              + budget + " plus one new token; something else appended to or rebuilt the working set");
        }
        // swap-remove moves the new token (the last slot) into the freed slot: the replacement cycle's premise
        eviction[layer].next(slotPerHead);
        workingSet.evict(slotPerHead);
      }
    }
  }

  private void select(int layer, Observation observation, WorkingSet workingSet) {
    Scores s = observation.result().scores();
    if (s == null) {
      throw new IllegalStateException("snapkv asked for attention scores at the end of prefill but the backend returned none (layer "
          + layer + "); use a backend with the SCORES capability");
    }
    Selection selection = s.topK(budget, poolKernel, 0);
    if (selection.size() < workingSet.length()) {
      workingSet.retain(selection);
    }
    // the main store was never evicted before, so selection (slot) order is position order
    eviction[layer].rank(selection);
  }

  @Override
  public String toString() {
    return "snapkv(budget=" + budget + ", poolKernel=" + poolKernel + ")";
  }
}
