package org.recycledattention.policy.local;

import java.util.Arrays;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;

/**
 * StreamingLLM for one sequence: see the package documentation. O(1) host work per decode step and
 * layer, allocation-free after the first cut. Not thread-safe.
 */
public final class LocalPolicy implements AttentionPolicy {
  private final int budget;
  private final int sinkTokens;
  /** Per layer: the window slot holding the oldest recent token (a ring over {@code sink .. budget-1}). */
  private final int[] oldestRecentSlot;
  /** Per layer: whether any entry was evicted (before that, slot order is position order). */
  private final boolean[] evicted;
  private final int[] slotPerHead;

  LocalPolicy(int budget, int sinkTokens, ModelShape shape) {
    this.budget = budget;
    this.sinkTokens = sinkTokens;
    this.oldestRecentSlot = new int[shape.layers()];
    Arrays.fill(oldestRecentSlot, sinkTokens);
    this.evicted = new boolean[shape.layers()];
    this.slotPerHead = new int[shape.kvHeads()];
  }

  public int budget() {
    return budget;
  }

  public int sinkTokens() {
    return sinkTokens;
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return StepPlan.Full.NO_SCORES;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    if (step.phase() == Phase.PREFILL) {
      return;
    }
    int length = workingSet.length();
    if (length <= budget) {
      return;
    }
    if (length == budget + 1) {
      // the newest entry sits in slot `budget`; it moves into the evicted slot and becomes the newest of the ring
      int slot = oldestRecentSlot[layer];
      Arrays.fill(slotPerHead, slot);
      workingSet.evict(slotPerHead);
      oldestRecentSlot[layer] = slot + 1 == budget ? sinkTokens : slot + 1;
      evicted[layer] = true;
      return;
    }
    if (evicted[layer]) {
      throw new IllegalStateException("layer " + layer + " holds " + length + " entries after a step, more than the budget " + budget
          + " plus one new token; something else appended to or rebuilt the working set");
    }
    cutToWindow(length, workingSet);
    oldestRecentSlot[layer] = sinkTokens;
    evicted[layer] = true;
  }

  /** Keeps slots {@code 0 .. sink-1} and the last {@code budget - sink} slots: slot order is position order here. */
  private void cutToWindow(int length, WorkingSet workingSet) {
    int[] keep = new int[budget];
    for (int i = 0; i < sinkTokens; i++) {
      keep[i] = i;
    }
    int firstRecent = length - (budget - sinkTokens);
    for (int i = sinkTokens; i < budget; i++) {
      keep[i] = firstRecent + i - sinkTokens;
    }
    int heads = workingSet.kvHeads();
    int[][] slots = new int[heads][];
    float[][] scores = new float[heads][];
    float[] noScores = new float[budget];
    for (int h = 0; h < heads; h++) {
      slots[h] = keep;
      scores[h] = noScores;
    }
    workingSet.retain(new Selection(slots, scores));
  }

  @Override
  public String toString() {
    return "local(budget=" + budget + ", sinkTokens=" + sinkTokens + ")";
  }
}
