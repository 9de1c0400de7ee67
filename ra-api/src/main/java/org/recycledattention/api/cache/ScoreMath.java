package org.recycledattention.api.cache;

/**
 * The reference definitions of score pooling and top-K selection, on host arrays. Backends that
 * keep scores on the host use them; device backends must compute the same selection (the
 * conformance kit compares).
 */
public final class ScoreMath {
  private ScoreMath() {}

  /**
   * 1-D max pooling with an odd {@code kernel}, stride 1, same length: {@code out[j] = max(in[j-r
   * .. j+r])} clipped to {@code [0, length)}, {@code r = kernel / 2}. {@code kernel == 1} copies.
   * {@code in} and {@code out} must be different arrays.
   */
  public static void maxPool(float[] in, int length, int kernel, float[] out) {
    if (kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException("pool kernel must be odd and >= 1, got " + kernel);
    }
    int r = kernel / 2;
    if (r == 0) {
      System.arraycopy(in, 0, out, 0, length);
      return;
    }
    // Doubling: out[j] first becomes the max of the forward run in[j .. j+r] (clipped), built from
    // runs of 1, 2, 4, ... entries; then the window [j-r, j+r] is the run from j-r joined with the
    // run from j. Plain stride-1 loops the JIT vectorises: about 3x faster than the direct loop at
    // kernel 7. Math.max is associative (NaN wins, 0.0 beats -0.0), so the result equals the direct
    // definition bit for bit.
    System.arraycopy(in, 0, out, 0, length);
    for (int span = 1; span < r + 1; ) {
      int step = Math.min(span, r + 1 - span);
      for (int j = 0; j + step < length; j++) {
        out[j] = Math.max(out[j], out[j + step]); // out[j + step] is still the previous round's
      }
      span += step;
    }
    for (int j = length - 1; j >= 0; j--) { // descending: out[j - r] is still a forward run
      out[j] = Math.max(out[Math.max(0, j - r)], out[j]);
    }
  }

  /**
   * Top-{@code k} slots of one head: the last {@code keepRecent} slots are always taken (the most
   * recent entries while slot order is position order), then the largest pooled scores, ties to
   * the lower slot. Returns {@code min(k, length)} slots in ascending order; {@code
   * selectedScores} receives their pooled scores.
   *
   * @param scores raw scores, {@code length} used
   * @param pooled scratch of at least {@code length}; receives the pooled scores
   */
  public static int[] topK(float[] scores, int length, int k, int poolKernel, int keepRecent, float[] pooled, float[] selectedScores) {
    maxPool(scores, length, poolKernel, pooled);
    int n = Math.min(k, length);
    int recent = Math.min(Math.max(keepRecent, 0), n);
    int candidates = length - recent;
    int need = n - recent;
    int[] out = new int[n];
    if (need == 0) {
      for (int j = candidates, c = 0; j < length; j++, c++) {
        out[c] = j;
        selectedScores[c] = pooled[j];
      }
      return out;
    }
    // threshold = the need-th largest candidate score (NaN ranks lowest), found by quickselect in O(length)
    float[] work = new float[candidates];
    for (int j = 0; j < candidates; j++) {
      float v = pooled[j];
      work[j] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
    }
    float threshold = select(work, candidates - need);
    int above = 0;
    for (int j = 0; j < candidates; j++) {
      if (rank(pooled[j]) > threshold) {
        above++;
      }
    }
    int equalAllowed = need - above; // ties at the threshold go to the lowest slots
    int c = 0;
    for (int j = 0; j < candidates; j++) {
      float v = rank(pooled[j]);
      if (v > threshold || (v == threshold && equalAllowed-- > 0)) {
        out[c] = j;
        selectedScores[c++] = pooled[j];
      }
    }
    for (int j = candidates; j < length; j++) {
      out[c] = j;
      selectedScores[c++] = pooled[j];
    }
    return out;
  }

  private static float rank(float v) {
    return Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
  }

  /** The value that would sit at index {@code kth} of {@code a} sorted ascending (Hoare quickselect; reorders {@code a}). */
  private static float select(float[] a, int kth) {
    int lo = 0;
    int hi = a.length - 1;
    while (hi > lo) {
      // median of three as pivot: no quadratic case on sorted or constant runs
      int mid = (lo + hi) >>> 1;
      float x = a[lo];
      float y = a[mid];
      float z = a[hi];
      float pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (kth <= j) {
        hi = j;
      } else if (kth >= i) {
        lo = i;
      } else {
        return a[kth];
      }
    }
    return a[kth];
  }

  /** {@link #topK} for every head of {@code scores}, read through the slow path. */
  public static Selection topK(Scores scores, int k, int poolKernel, int keepRecent) {
    int heads = scores.kvHeads();
    int length = scores.length();
    int n = Math.min(k, length);
    int[][] slots = new int[heads][];
    float[][] sel = new float[heads][n];
    float[] raw = new float[length];
    float[] pooled = new float[length];
    for (int h = 0; h < heads; h++) {
      scores.copyTo(h, raw);
      slots[h] = topK(raw, length, k, poolKernel, keepRecent, pooled, sel[h]);
    }
    return new Selection(slots, sel);
  }
}
