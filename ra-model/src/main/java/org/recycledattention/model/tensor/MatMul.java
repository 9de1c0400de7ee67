package org.recycledattention.model.tensor;

/**
 * Matrix products of a weight tensor {@code W} ({@code rows × cols}) with activations: {@code out =
 * W · x}. The activations are first converted to the weight type's {@link InputFormat}, as llama.cpp
 * does (once per {@link Activations#set}, shared by every product that reads them). Parallel over
 * output rows when the work is big enough to pay for the hand-off (about {@value
 * #PARALLEL_MIN_WORK} multiply-adds); tiny models run inline.
 *
 * <p>Thread-safe as far as the tensor is (always); {@code out} must not alias the activations.
 */
public final class MatMul {
  /** Multiply-adds below which a product runs on the calling thread only. */
  public static final long PARALLEL_MIN_WORK = 1L << 17;

  /** Input vectors per tile of the batched product. */
  static final int BATCH_TILE = 16;

  private MatMul() {}

  /** {@code out[outOffset + r] = W[r] · x[0]} for every row {@code r}. */
  public static void matvec(FloatTensor w, Activations x, float[] out, int outOffset, Parallel parallel) {
    Input in = prepared(w, x);
    int rows = w.rows();
    if (parallel.threads() == 1 || (long) rows * w.cols() < PARALLEL_MIN_WORK) {
      w.dotRows(in, 0, out, outOffset, 0, rows);
      return;
    }
    parallel.forRange(rows, (from, to) -> w.dotRows(in, 0, out, outOffset, from, to));
  }

  /**
   * Several products of one input, {@code out[i] = W[i] · x[0]} (the q, k and v projections of a
   * layer; the gate and up projections), as one parallel region over all their rows: one hand-off
   * instead of one per product, and products too small to split on their own are split too. Each
   * row is computed exactly as {@link #matvec} computes it.
   */
  public static void matvecs(FloatTensor[] w, Activations x, float[][] out, Parallel parallel) {
    Input[] in = new Input[w.length];
    long work = 0;
    int rows = 0;
    for (int i = 0; i < w.length; i++) {
      in[i] = prepared(w[i], x);
      work += (long) w[i].rows() * w[i].cols();
      rows += w[i].rows();
    }
    if (parallel.threads() == 1 || work < PARALLEL_MIN_WORK) {
      for (int i = 0; i < w.length; i++) {
        w[i].dotRows(in[i], 0, out[i], 0, 0, w[i].rows());
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
          w[i].dotRows(in[i], 0, out[i], 0, lo - base, hi - base);
        }
        base += n;
      }
    });
  }

  /**
   * The batched product of prefill: the {@code n = x.count()} input vectors give {@code n} output
   * vectors {@code out[t·rows ..]}. Each weight row is read once for a tile of inputs, while it is
   * in the L1 cache.
   */
  public static void matmul(FloatTensor w, Activations x, float[] out, Parallel parallel) {
    if (x.count() == 1) {
      matvec(w, x, out, 0, parallel);
      return;
    }
    Input in = prepared(w, x);
    int rows = w.rows();
    if (parallel.threads() == 1 || (long) rows * w.cols() * x.count() < PARALLEL_MIN_WORK) {
      w.dotRowsBatch(in, out, 0, rows);
      return;
    }
    parallel.forRange(rows, (from, to) -> w.dotRowsBatch(in, out, from, to));
  }

  private static Input prepared(FloatTensor w, Activations x) {
    if (x.cols() != w.cols()) {
      throw new IllegalArgumentException("tensor '" + w.name() + "' has rows of " + w.cols() + " but the activations have " + x.cols());
    }
    return x.as(w.inputFormat());
  }
}
