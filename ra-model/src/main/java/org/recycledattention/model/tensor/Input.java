package org.recycledattention.model.tensor;

import static java.util.Objects.requireNonNull;

/**
 * Activations prepared for one {@link InputFormat}: {@code count} vectors of {@code cols} values
 * (vector {@code t} at {@code t · cols}), each value the f32 its quantized form stands for, and the
 * sums of each 16 and 32 values of a vector. Read by the kernels; written by {@link Activations}
 * (or {@link #of}), never while a product reads it.
 */
public final class Input {
  private final InputFormat format;
  float[] values;
  float[] sums16;
  float[] sums32;
  /**
   * {@link InputFormat#Q8_K} only: each block's 256 quantized values as shorts in {@link #laneOrder}
   * (for kernels whose lanes are the block's 16 groups), its {@code d} and its 16 group sums of the
   * quantized values (ggml's {@code bsums}); empty for the other formats.
   */
  short[] q8;
  /**
   * {@link InputFormat#Q8_0} and {@link InputFormat#Q8_1} only: the quantized values, in order
   * (for the integer kernels of the 32-blocks); empty for the other formats.
   */
  byte[] q8Bytes;
  /** Each block's {@code d} as ggml stores it (Q8_0, Q8_1: rounded to f16; Q8_K: f32). */
  float[] q8Scale;
  int[] q8Sums;
  int count;
  int cols;

  Input(InputFormat format) {
    this.format = requireNonNull(format, "format is null");
    this.values = new float[0];
    this.sums16 = new float[0];
    this.sums32 = new float[0];
    this.q8 = new short[0];
    this.q8Bytes = new byte[0];
    this.q8Scale = new float[0];
    this.q8Sums = new int[0];
  }

  /**
   * Where element {@code i = 16g + k} of a 256-block goes in {@link #q8}: {@code 64·(k / 4) + 32·(k
   * % 2) + 2g + (k % 4) / 2}. Read as 4 steps {@code m} of two 32-short vectors, even then odd: in
   * step {@code m}, short lanes {@code 2g, 2g + 1} hold elements {@code 4m .. 4m + 3} of group
   * {@code g} (even vector: {@code 4m, 4m + 2}; odd: {@code 4m + 1, 4m + 3}), the order in which
   * {@link Q6_KTensor} lays out 4 weights of each group per int lane.
   */
  static int laneOrder(int i) {
    int g = i / 16;
    int k = i % 16;
    return 64 * (k / 4) + 32 * (k % 2) + 2 * g + (k % 4) / 2;
  }

  /**
   * {@code count} vectors of {@code cols} values from {@code x} prepared as {@code format}, in a new
   * object (for tests and one-off products; a decode loop reuses an {@link Activations}).
   */
  public static Input of(InputFormat format, float[] x, int count, int cols) {
    Input in = new Input(format);
    in.prepare(x, count, cols);
    return in;
  }

  void prepare(float[] x, int count, int cols) {
    if (count < 1 || cols < 1 || (long) count * cols > x.length) {
      throw new IllegalArgumentException(count + " vectors of " + cols + " values do not fit in " + x.length);
    }
    // sums are kept per 32 values: rows of other lengths are padded with zeros to 32
    int stride = (cols + 31) / 32 * 32;
    if (stride % format.blockSize() != 0) {
      throw new IllegalArgumentException("activations of " + cols + " values are not a whole number of " + format + " blocks of "
          + format.blockSize());
    }
    int n = Math.multiplyExact(count, stride);
    if (values.length < n) {
      values = new float[n];
      sums16 = new float[n / 16];
      sums32 = new float[n / 32];
      if (format == InputFormat.Q8_K) {
        q8 = new short[n];
        q8Scale = new float[n / 256];
        q8Sums = new int[n / 16];
      } else if (format == InputFormat.Q8_0 || format == InputFormat.Q8_1) {
        q8Bytes = new byte[n];
        q8Scale = new float[n / 32];
      }
    }
    this.count = count;
    this.cols = stride;
    if (stride == cols) {
      format.prepare(x, 0, n, this, 0);
      return;
    }
    float[] padded = new float[stride];
    for (int t = 0; t < count; t++) {
      System.arraycopy(x, t * cols, padded, 0, cols);
      format.prepare(padded, 0, stride, this, t * stride);
    }
  }

  public InputFormat format() {
    return format;
  }

  /** Vectors held. */
  public int count() {
    return count;
  }

  /** Distance between two vectors in {@link #values()}: the row length rounded up to 32. */
  public int stride() {
    return cols;
  }

  /** The prepared values: vector {@code t} starts at {@code t · stride()}. Do not modify. */
  public float[] values() {
    return values;
  }

  /** The sum of the prepared values {@code 16·g .. 16·g + 15} of vector 0's numbering (all vectors, back to back). */
  public float sum16(int g) {
    return sums16[g];
  }

  /** The sum of values {@code 32·g .. 32·g + 31}; for Q8_1, ggml's {@code s} of that block. */
  public float sum32(int g) {
    return sums32[g];
  }
}
