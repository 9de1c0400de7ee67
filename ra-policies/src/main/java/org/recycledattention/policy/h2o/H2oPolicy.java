package org.recycledattention.policy.h2o;

import java.util.Arrays;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.policy.support.Arrays2;
import org.recycledattention.policy.support.RankKeys;

/** H2O for one sequence: see the package documentation. Not thread-safe. */
public final class H2oPolicy implements AttentionPolicy {
  /** Accumulated attention needs the scores of every step, summed over its queries. */
  static final StepPlan PLAN = new StepPlan.Full(ScoreRequest.SUM_MAX);

  private final int budget;
  private final int heavyHitters;
  private final int recentWindow;
  private final int kvHeads;
  /** [layer][kvHead][slot]: attention accumulated while the entry was kept. */
  private final float[][][] accumulated;
  /** [layer][kvHead][slot]: sequence position of the entry. */
  private final int[][][] positions;
  /** [layer]: slots tracked (equals the working set's length after each observe). */
  private final int[] tracked;
  /** [layer]: whether anything was evicted (before that, slot order is position order). */
  private final boolean[] evicted;
  private final int[] slotPerHead;
  private float[] scoreRow = new float[0];

  H2oPolicy(int budget, int heavyHitters, ModelShape shape) {
    this.budget = budget;
    this.heavyHitters = heavyHitters;
    this.recentWindow = budget - heavyHitters;
    this.kvHeads = shape.kvHeads();
    int layers = shape.layers();
    this.accumulated = new float[layers][kvHeads][0];
    this.positions = new int[layers][kvHeads][0];
    this.tracked = new int[layers];
    this.evicted = new boolean[layers];
    this.slotPerHead = new int[kvHeads];
  }

  public int budget() {
    return budget;
  }

  /** {@code floor(K · heavy-ratio)}. */
  public int heavyHitters() {
    return heavyHitters;
  }

  /** {@code K - heavyHitters}. */
  public int recentWindow() {
    return recentWindow;
  }

  /** The accumulated score of {@code slot} in {@code kvHead} of {@code layer} (for tests and diagnostics). */
  public float accumulatedScore(int layer, int kvHead, int slot) {
    checkSlot(layer, slot);
    return accumulated[layer][kvHead][slot];
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return PLAN;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    int length = workingSet.length();
    trackNewEntries(layer, length, workingSet);
    accumulate(layer, length, observation);
    if (step.phase() == Phase.PREFILL || length <= budget) {
      return;
    }
    int recentFloor = step.position() - recentWindow; // candidates have position <= recentFloor
    if (length > budget + 1 && !evicted[layer]) {
      retainBest(layer, length, recentFloor, workingSet);
      return;
    }
    for (int n = length; n > budget; n--) {
      evictLowest(layer, n, recentFloor, workingSet);
    }
  }

  private void trackNewEntries(int layer, int length, WorkingSet workingSet) {
    int from = tracked[layer];
    if (length < from) {
      throw new IllegalStateException("layer " + layer + " shrank from " + from + " to " + length
          + " entries outside the h2o policy; its accumulated scores no longer match the working set");
    }
    if (length == from) {
      return;
    }
    for (int h = 0; h < kvHeads; h++) {
      float[] acc = Arrays2.ensure(accumulated[layer][h], length);
      int[] pos = Arrays2.ensure(positions[layer][h], length);
      for (int s = from; s < length; s++) {
        acc[s] = 0f;
        pos[s] = workingSet.position(h, s);
      }
      accumulated[layer][h] = acc;
      positions[layer][h] = pos;
    }
    tracked[layer] = length;
  }

  private void accumulate(int layer, int length, Observation observation) {
    Scores scores = observation.result().scores();
    if (scores == null) {
      throw new IllegalStateException("h2o asked for attention scores but the backend returned none (layer " + layer
          + "); use a backend with the SCORES capability");
    }
    if (scores.length() != length) {
      throw new IllegalStateException("h2o expected " + length + " scores per KV head on layer " + layer + ", got " + scores.length());
    }
    scoreRow = Arrays2.ensure(scoreRow, length);
    for (int h = 0; h < kvHeads; h++) {
      scores.copyTo(h, scoreRow);
      float[] acc = accumulated[layer][h];
      for (int s = 0; s < length; s++) {
        acc[s] += scoreRow[s];
      }
    }
  }

  /** Evicts per head the candidate with the lowest accumulated score (ties: older), O(length). */
  private void evictLowest(int layer, int length, int recentFloor, WorkingSet workingSet) {
    for (int h = 0; h < kvHeads; h++) {
      float[] acc = accumulated[layer][h];
      int[] pos = positions[layer][h];
      int victim = -1;
      for (int s = 0; s < length; s++) {
        if (pos[s] <= recentFloor && (victim < 0 || acc[s] < acc[victim] || (acc[s] == acc[victim] && pos[s] < pos[victim]))) {
          victim = s;
        }
      }
      if (victim < 0) { // only with non-contiguous positions: evict the oldest
        victim = 0;
        for (int s = 1; s < length; s++) {
          if (pos[s] < pos[victim]) {
            victim = s;
          }
        }
      }
      slotPerHead[h] = victim;
    }
    workingSet.evict(slotPerHead);
    int last = length - 1;
    for (int h = 0; h < kvHeads; h++) {
      int s = slotPerHead[h];
      accumulated[layer][h][s] = accumulated[layer][h][last];
      positions[layer][h][s] = positions[layer][h][last];
    }
    tracked[layer] = last;
    evicted[layer] = true;
  }

  /**
   * Cuts a store that was never evicted (slot order is position order) down to the budget in one
   * retain: the recent window plus the best candidates by (accumulated score, position).
   */
  private void retainBest(int layer, int length, int recentFloor, WorkingSet workingSet) {
    int[][] slots = new int[kvHeads][];
    float[][] kept = new float[kvHeads][];
    long[] keys = new long[length];
    boolean[] keep = new boolean[length];
    for (int h = 0; h < kvHeads; h++) {
      float[] acc = accumulated[layer][h];
      int[] pos = positions[layer][h];
      Arrays.fill(keep, false);
      int recent = 0;
      int candidates = 0;
      for (int s = 0; s < length; s++) {
        if (pos[s] > recentFloor) {
          keep[s] = true;
          recent++;
        } else {
          keys[candidates++] = RankKeys.key(acc[s], s); // slot order is position order here
        }
      }
      Arrays.sort(keys, 0, candidates);
      int heavy = Math.min(budget - recent, candidates);
      for (int i = candidates - heavy; i < candidates; i++) {
        keep[RankKeys.tieBreak(keys[i])] = true;
      }
      int[] sel = new int[recent + heavy];
      float[] sc = new float[sel.length];
      int c = 0;
      for (int s = 0; s < length; s++) {
        if (keep[s]) {
          sel[c] = s;
          sc[c++] = acc[s];
        }
      }
      slots[h] = sel;
      kept[h] = sc;
    }
    Selection selection = new Selection(slots, kept);
    workingSet.retain(selection);
    int size = selection.size();
    int capacity = budget + 1;
    for (int h = 0; h < kvHeads; h++) {
      float[] acc = new float[capacity];
      int[] pos = new int[capacity];
      for (int i = 0; i < size; i++) {
        int s = slots[h][i];
        acc[i] = accumulated[layer][h][s];
        pos[i] = positions[layer][h][s];
      }
      accumulated[layer][h] = acc;
      positions[layer][h] = pos;
    }
    tracked[layer] = size;
    evicted[layer] = true;
  }

  private void checkSlot(int layer, int slot) {
    if (slot < 0 || slot >= tracked[layer]) {
      throw new IndexOutOfBoundsException("slot " + slot + " of layer " + layer + ": expected 0 .. " + (tracked[layer] - 1));
    }
  }

  @Override
  public String toString() {
    return "h2o(budget=" + budget + ", heavyHitters=" + heavyHitters + ", recent=" + recentWindow + ")";
  }
}
