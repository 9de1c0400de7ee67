package org.recycledattention.model.tensor;

/**
 * Matrix products of a weight tensor {@code W} ({@code rows × cols}) with f32 activations:
 * {@code out = W · x}. Parallel over output rows when the work is big enough to pay for the
 * hand-off (about {@value #PARALLEL_MIN_WORK} multiply-adds); tiny models run inline.
 *
 * <p>Thread-safe as far as the tensor is (always); {@code out} must not alias {@code x}.
 */
public final class MatMul {
  /** Multiply-adds below which a product runs on the calling thread only. */
  public static final long PARALLEL_MIN_WORK = 1L << 17;

  /** Input vectors per tile of the batched product. */
  static final int BATCH_TILE = 16;

  private MatMul() {}

  /** {@code out[outOffset + r] = W[r] · x[xOffset ..]} for every row {@code r}. */
  public static void matvec(FloatTensor w, float[] x, int xOffset, float[] out, int outOffset, Parallel parallel) {
    int rows = w.rows();
    if (parallel.threads() == 1 || (long) rows * w.cols() < PARALLEL_MIN_WORK) {
      w.dotRows(x, xOffset, out, outOffset, 0, rows);
      return;
    }
    parallel.forRange(rows, (from, to) -> w.dotRows(x, xOffset, out, outOffset, from, to));
  }

  /**
   * Several products of one input, {@code out[i] = W[i] · x} (the q, k and v projections of a
   * layer; the gate and up projections), as one parallel region over all their rows: one hand-off
   * instead of one per product, and products too small to split on their own are split too. Each
   * row is computed exactly as {@link #matvec} computes it.
   */
  public static void matvecs(FloatTensor[] w, float[] x, float[][] out, Parallel parallel) {
    long work = 0;
    int rows = 0;
    for (FloatTensor t : w) {
      work += (long) t.rows() * t.cols();
      rows += t.rows();
    }
    if (parallel.threads() == 1 || work < PARALLEL_MIN_WORK) {
      for (int i = 0; i < w.length; i++) {
        w[i].dotRows(x, 0, out[i], 0, 0, w[i].rows());
      }
      return;
    }
    parallel.forRange(rows, (from, to) -> {
      int base = 0;
      for (int i = 0; i < w.length && base < to; i++) {
        int n = w[i].rows();
        int lo = Math.max(from, base);
        int hi = Math.min(to, base + n);
        if (lo < hi) {
          w[i].dotRows(x, 0, out[i], 0, lo - base, hi - base);
        }
        base += n;
      }
    });
  }

  /** {@code out = W · x} with both arrays starting at 0. */
  public static void matvec(FloatTensor w, float[] x, float[] out, Parallel parallel) {
    matvec(w, x, 0, out, 0, parallel);
  }

  /**
   * The batched product of prefill: {@code n} input vectors {@code x[t·cols ..]} give {@code n}
   * output vectors {@code out[t·rows ..]}. Each weight row is read once for all {@code n} inputs,
   * while it is in the L1 cache.
   */
  public static void matmul(FloatTensor w, float[] x, int n, float[] out, Parallel parallel) {
    int rows = w.rows();
    int cols = w.cols();
    if (n == 1) {
      matvec(w, x, 0, out, 0, parallel);
      return;
    }
    if (parallel.threads() == 1 || (long) rows * cols * n < PARALLEL_MIN_WORK) {
      w.dotRowsBatch(x, n, out, 0, rows);
      return;
    }
    parallel.forRange(rows, (from, to) -> w.dotRowsBatch(x, n, out, from, to));
  }
}
