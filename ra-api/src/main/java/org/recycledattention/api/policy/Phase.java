package org.recycledattention.api.policy;

import org.recycledattention.api.plan.StepPlan;

/** Which part of a sequence a step belongs to. */
public enum Phase {
  /**
   * A prefill chunk that is not the last. The plan must be {@link StepPlan.Full}; {@code observe}
   * may record scores but must not change the working set (prefill is full attention).
   */
  PREFILL,
  /**
   * The last prefill chunk: it holds the last prompt token. The plan must be {@link StepPlan.Full};
   * {@code observe} makes the first selection (Recycled Attention, SnapKV) or evicts down to the
   * budget (StreamingLLM, H2O).
   */
  PREFILL_END,
  /** One generated token. Any plan the backend supports. */
  DECODE
}
