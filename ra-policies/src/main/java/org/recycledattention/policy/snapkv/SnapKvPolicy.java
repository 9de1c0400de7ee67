package org.recycledattention.policy.snapkv;

import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.api.policy.StepPlan;
import org.recycledattention.policy.support.Arrays2;

/** SnapKV for one sequence: see the package documentation. Not thread-safe. */
public final class SnapKvPolicy implements AttentionPolicy {
  /** Score of an entry added after the selection: never evicted before a selected one. */
  static final float PROTECTED = Float.POSITIVE_INFINITY;

  private final int budget;
  private final int poolKernel;
  private final int kvHeads;
  /** [layer][kvHead][slot]: pooled selection score, or {@link #PROTECTED}. */
  private final float[][][] scores;
  /** [layer][kvHead][slot]: sequence position. */
  private final int[][][] positions;
  /** [layer]: slots tracked. */
  private final int[] tracked;
  private final int[] slotPerHead;

  SnapKvPolicy(int budget, int poolKernel, ModelShape shape) {
    this.budget = budget;
    this.poolKernel = poolKernel;
    this.kvHeads = shape.kvHeads();
    this.scores = new float[shape.layers()][kvHeads][0];
    this.positions = new int[shape.layers()][kvHeads][0];
    this.tracked = new int[shape.layers()];
    this.slotPerHead = new int[kvHeads];
  }

  public int budget() {
    return budget;
  }

  public int poolKernel() {
    return poolKernel;
  }

  /** The selection score of {@code slot} ({@code +inf} for a token added after the selection). */
  public float selectionScore(int layer, int kvHead, int slot) {
    if (slot < 0 || slot >= tracked[layer]) {
      throw new IndexOutOfBoundsException("slot " + slot + " of layer " + layer + ": expected 0 .. " + (tracked[layer] - 1));
    }
    return scores[layer][kvHead][slot];
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
        trackNewEntries(layer, length, workingSet);
        for (int n = length; n > budget; n--) {
          evictLowest(layer, n, workingSet);
        }
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
    int size = selection.size();
    if (size < workingSet.length()) {
      workingSet.retain(selection);
    }
    for (int h = 0; h < kvHeads; h++) {
      float[] sc = Arrays2.ensure(scores[layer][h], size + 1);
      int[] pos = Arrays2.ensure(positions[layer][h], size + 1);
      for (int i = 0; i < size; i++) {
        sc[i] = selection.score(h, i);
        pos[i] = workingSet.position(h, i);
      }
      scores[layer][h] = sc;
      positions[layer][h] = pos;
    }
    tracked[layer] = size;
  }

  private void trackNewEntries(int layer, int length, WorkingSet workingSet) {
    int from = tracked[layer];
    if (length < from) {
      throw new IllegalStateException("layer " + layer + " shrank from " + from + " to " + length
          + " entries outside the snapkv policy; its selection scores no longer match the working set");
    }
    if (length == from) {
      return;
    }
    for (int h = 0; h < kvHeads; h++) {
      float[] sc = Arrays2.ensure(scores[layer][h], length);
      int[] pos = Arrays2.ensure(positions[layer][h], length);
      for (int slot = from; slot < length; slot++) {
        sc[slot] = PROTECTED;
        pos[slot] = workingSet.position(h, slot);
      }
      scores[layer][h] = sc;
      positions[layer][h] = pos;
    }
    tracked[layer] = length;
  }

  /** Evicts per head the entry with the lowest (score, position), O(length). */
  private void evictLowest(int layer, int length, WorkingSet workingSet) {
    for (int h = 0; h < kvHeads; h++) {
      float[] sc = scores[layer][h];
      int[] pos = positions[layer][h];
      int victim = 0;
      for (int s = 1; s < length; s++) {
        if (sc[s] < sc[victim] || (sc[s] == sc[victim] && pos[s] < pos[victim])) {
          victim = s;
        }
      }
      slotPerHead[h] = victim;
    }
    workingSet.evict(slotPerHead);
    int last = length - 1;
    for (int h = 0; h < kvHeads; h++) {
      int s = slotPerHead[h];
      scores[layer][h][s] = scores[layer][h][last];
      positions[layer][h][s] = positions[layer][h][last];
    }
    tracked[layer] = last;
  }

  @Override
  public String toString() {
    return "snapkv(budget=" + budget + ", poolKernel=" + poolKernel + ")";
  }
}
