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
    for (int j = 0; j < length; j++) {
      int lo = Math.max(0, j - r);
      int hi = Math.min(length - 1, j + r);
      float m = in[lo];
      for (int i = lo + 1; i <= hi; i++) {
        m = Math.max(m, in[i]);
      }
      out[j] = m;
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
    boolean[] taken = new boolean[length];
    int recent = Math.min(Math.max(keepRecent, 0), n);
    for (int j = length - recent; j < length; j++) {
      taken[j] = true;
    }
    int need = n - recent;
    if (need > 0) {
      // partial selection by a bounded min-heap of indices: O(length log need)
      int[] heap = new int[need];
      int size = 0;
      for (int j = 0; j < length; j++) {
        if (taken[j]) {
          continue;
        }
        if (size < need) {
          heap[size] = j;
          siftUp(heap, size++, pooled);
        } else if (better(j, heap[0], pooled)) {
          heap[0] = j;
          siftDown(heap, size, pooled);
        }
      }
      for (int i = 0; i < size; i++) {
        taken[heap[i]] = true;
      }
    }
    int[] out = new int[n];
    int c = 0;
    for (int j = 0; j < length && c < n; j++) {
      if (taken[j]) {
        selectedScores[c] = pooled[j];
        out[c++] = j;
      }
    }
    return out;
  }

  /** {@code a} ranks above {@code b}: larger score, then lower slot. NaN ranks lowest. */
  private static boolean better(int a, int b, float[] s) {
    float x = s[a];
    float y = s[b];
    if (x != y) {
      return x > y || Float.isNaN(y);
    }
    return a < b;
  }

  // min-heap: the root is the worst of the kept
  private static void siftUp(int[] h, int i, float[] s) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (better(h[p], h[i], s)) {
        int t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
      } else {
        return;
      }
    }
  }

  private static void siftDown(int[] h, int size, float[] s) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int w = i;
      if (l < size && better(h[w], h[l], s)) {
        w = l;
      }
      if (r < size && better(h[w], h[r], s)) {
        w = r;
      }
      if (w == i) {
        return;
      }
      int t = h[w];
      h[w] = h[i];
      h[i] = t;
      i = w;
    }
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
