package org.recycledattention.backend.cpu;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractScores;

/**
 * The scores of one layer, one heap row per KV head, reused by every call on that layer (grown,
 * never shrunk, while the layer's stores grow).
 *
 * <p><b>Selection in place.</b> Once {@link #topK} has been called on a layer, the next single-query
 * {@link org.recycledattention.api.plan.ScoreMode#LAST_QUERY} attention of that layer selects with the
 * same parameters inside the attention units, head by head, while each head's scores are in cache and
 * on the threads that computed them ({@link #precompute}); {@code topK} with those parameters then
 * returns that selection. It is the same function of the same scores, so nothing observable changes
 * but the time (a policy such as Recycled Attention asks the same {@code topK} at every full step).
 * {@link #topK} is {@link TopK}'s: {@code ScoreMath.topK}'s selection, computed faster.
 *
 * <p>Valid until the next {@code attend}, {@code append} or working-set change on the layer. Not
 * thread-safe.
 */
final class CpuScores extends AbstractScores {
  private final float[][] rows;
  private int length;
  private final ForkJoinPool pool;
  private final TopK topK = new TopK();
  private final TopK topKWorker = new TopK();

  // the parameters of the last topK call (k < 0: none yet), which the next attention selects with
  private int specK = -1;
  private int specPoolKernel;
  private int specKeepRecent;
  /** Bumped by every {@link #reset}: the attention call whose scores the rows hold. */
  private long generation;
  /** The per-head selections the attention units made for {@link #generation}; null entries when not. */
  private int[][] preSlots;
  private float[][] preScores;
  private long preGeneration = -1;
  /** The last selection {@link #topK} returned, and whether the units had made it. */
  private Selection last;
  private boolean lastPrecomputed;

  /** @param pool the backend's workers (odd KV heads are selected there), or null */
  CpuScores(int kvHeads, ForkJoinPool pool) {
    super(kvHeads);
    this.rows = new float[kvHeads][0];
    this.pool = pool;
  }

  /**
   * Prepares for {@code length} entries per head; the caller then writes {@link #row}s.
   *
   * @param selectInPlace whether the caller will call {@link #precompute} for every head (a
   *     single-query last-query call) when {@link #speculating()}
   */
  void reset(int length, boolean selectInPlace) {
    if (rows[0].length < length) {
      int capacity = Math.max(length, rows[0].length + (rows[0].length >> 1));
      for (int h = 0; h < rows.length; h++) {
        rows[h] = new float[capacity];
      }
    }
    this.length = length;
    generation++;
    last = null;
    if (selectInPlace && speculating()) {
      preSlots = new int[rows.length][];
      preScores = new float[rows.length][];
      preGeneration = generation;
    } else {
      preSlots = null;
      preScores = null;
      preGeneration = -1;
    }
  }

  /** Whether {@link #topK} was called before, so that its parameters are known. */
  boolean speculating() {
    return specK >= 0;
  }

  /** Entries each head's in-place selection holds. */
  int speculatedSize() {
    return Math.min(specK, length);
  }

  /** Whether this call's attention units select in place ({@link #precompute}). */
  boolean precomputing() {
    return preGeneration == generation && preGeneration >= 0;
  }

  /**
   * Selects head {@code h} with the last {@link #topK} parameters, once its row is final; called by
   * the attention unit of that head, on its thread, with that thread's scratch. Returns the slots.
   */
  int[] precompute(int h, TopK scratch) {
    float[] selected = new float[speculatedSize()];
    int[] slots = scratch.select(rows[h], length, specK, specPoolKernel, specKeepRecent, selected);
    preScores[h] = selected;
    preSlots[h] = slots;
    return slots;
  }

  /** Whether {@code s} is what the last {@link #topK} returned from the units' selection, for this call's scores. */
  boolean isPrecomputed(Selection s) {
    return s != null && s == last && lastPrecomputed;
  }

  /** Whether {@code s} is what the last {@link #topK} on these scores returned. */
  boolean isLast(Selection s) {
    return s != null && s == last;
  }

  /** The attention call whose scores the rows hold. */
  long generation() {
    return generation;
  }

  private static final int PARALLEL_LENGTH = 8192;

  float[] row(int kvHead) {
    return rows[kvHead];
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  protected void copyRow(int kvHead, float[] dst) {
    System.arraycopy(rows[kvHead], 0, dst, 0, length);
  }

  @Override
  protected Selection select(int k, int poolKernel, int keepRecent) {
    boolean same = k == specK && poolKernel == specPoolKernel && keepRecent == specKeepRecent;
    if (same && preGeneration == generation && Arrays.stream(preSlots).allMatch(Objects::nonNull)) {
      last = new Selection(preSlots, preScores);
      lastPrecomputed = true;
      return last;
    }
    specK = k;
    specPoolKernel = poolKernel;
    specKeepRecent = keepRecent;
    int n = Math.min(k, length);
    int[][] slots = new int[rows.length][];
    float[][] selected = new float[rows.length][n];
    if (pool != null && rows.length > 1 && length >= PARALLEL_LENGTH) {
      // heads are independent: the odd ones on the worker, with its own scratch
      PoolTask odd = PoolTask.submit(pool, () -> {
        for (int h = 1; h < rows.length; h += 2) {
          slots[h] = topKWorker.select(rows[h], length, k, poolKernel, keepRecent, selected[h]);
        }
      });
      for (int h = 0; h < rows.length; h += 2) {
        slots[h] = topK.select(rows[h], length, k, poolKernel, keepRecent, selected[h]);
      }
      odd.finish();
    } else {
      for (int h = 0; h < rows.length; h++) {
        slots[h] = topK.select(rows[h], length, k, poolKernel, keepRecent, selected[h]);
      }
    }
    last = new Selection(slots, selected);
    lastPrecomputed = false;
    return last;
  }
}
