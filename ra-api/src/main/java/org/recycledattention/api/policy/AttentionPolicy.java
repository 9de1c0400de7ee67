package org.recycledattention.api.policy;

import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;

/**
 * The state of one policy for one sequence: decides per layer and step what attention reads, and
 * updates the working set from what it observed.
 *
 * <p>Calls arrive in this order for every layer of every step: {@link #plan}, then the backend's
 * attention, then {@link #observe}. Layers are visited in order 0..L-1 within a step.
 *
 * <p><b>NOTE:</b> not thread-safe; one instance per sequence. A new sequence gets a new instance
 * from {@link AttentionPolicyProvider#create} and must not see the previous one's state.
 */
public interface AttentionPolicy {
  /**
   * The plan for {@code layer} at {@code step}. During {@link Phase#PREFILL} and {@link
   * Phase#PREFILL_END} it must be a {@link StepPlan.Full}. Must only return a {@link
   * StepPlan.Partial} when the working set has a partial cache.
   */
  StepPlan plan(int layer, DecodeStep step);

  /**
   * Sees the result of the step and changes the working set. After a {@link Phase#DECODE} or
   * {@link Phase#PREFILL_END} step, an evicting policy leaves at most {@code budget} entries in the
   * main store; a recycling policy leaves at most {@code budget} entries in the partial cache.
   */
  void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet);
}
