package org.recycledattention.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;

/**
 * The scores of one layer, one heap row per KV head, reused by every call on that layer (grown,
 * never shrunk, while the layer's stores grow). {@link #topK} works on the rows in place.
 *
 * <p>Valid until the next {@code attend}, {@code append} or working-set change on the layer. Not
 * thread-safe.
 */
final class CpuScores implements Scores {
  private final float[][] rows;
  private int length;
  private final ForkJoinPool pool;
  private float[] pooled = new float[0];
  private float[] pooledWorker = new float[0];

  /** @param pool the backend's workers (odd KV heads are selected there), or null */
  CpuScores(int kvHeads, ForkJoinPool pool) {
    this.rows = new float[kvHeads][0];
    this.pool = pool;
  }

  /** Prepares for {@code length} entries per head; the caller then writes {@link #row}s. */
  void reset(int length) {
    if (rows[0].length < length) {
      int capacity = Math.max(length, rows[0].length + (rows[0].length >> 1));
      for (int h = 0; h < rows.length; h++) {
        rows[h] = new float[capacity];
      }
    }
    this.length = length;
  }

  private static final int PARALLEL_LENGTH = 8192;

  float[] row(int kvHead) {
    return rows[kvHead];
  }

  @Override
  public int kvHeads() {
    return rows.length;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public void copyTo(int kvHead, float[] dst) {
    if (kvHead < 0 || kvHead >= rows.length) {
      throw new IllegalArgumentException("kvHead " + kvHead + " out of range [0, " + rows.length + ")");
    }
    if (dst.length < length) {
      throw new IllegalArgumentException("destination holds " + dst.length + " floats; scores have " + length);
    }
    System.arraycopy(rows[kvHead], 0, dst, 0, length);
  }

  @Override
  public Selection topK(int k, int poolKernel, int keepRecent) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    int n = Math.min(k, length);
    if (pooled.length < length) {
      pooled = new float[rows[0].length];
    }
    int[][] slots = new int[rows.length][];
    float[][] selected = new float[rows.length][n];
    if (pool != null && rows.length > 1 && length >= PARALLEL_LENGTH) {
      // heads are independent: the odd ones on the worker, with its own pooling scratch
      if (pooledWorker.length < length) {
        pooledWorker = new float[rows[0].length];
      }
      ForkJoinTask<?> odd = pool.submit(() -> {
        for (int h = 1; h < rows.length; h += 2) {
          slots[h] = ScoreMath.topK(rows[h], length, k, poolKernel, keepRecent, pooledWorker, selected[h]);
        }
      });
      for (int h = 0; h < rows.length; h += 2) {
        slots[h] = ScoreMath.topK(rows[h], length, k, poolKernel, keepRecent, pooled, selected[h]);
      }
      odd.join();
    } else {
      for (int h = 0; h < rows.length; h++) {
        slots[h] = ScoreMath.topK(rows[h], length, k, poolKernel, keepRecent, pooled, selected[h]);
      }
    }
    return new Selection(slots, selected);
  }
}
