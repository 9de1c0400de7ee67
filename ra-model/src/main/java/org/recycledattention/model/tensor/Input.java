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
  int count;
  int cols;

  Input(InputFormat format) {
    this.format = requireNonNull(format, "format is null");
    this.values = new float[0];
    this.sums16 = new float[0];
    this.sums32 = new float[0];
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
    }
    this.count = count;
    this.cols = stride;
    if (stride == cols) {
      format.prepare(x, 0, n, values, 0, sums16, sums32);
      return;
    }
    float[] padded = new float[stride];
    for (int t = 0; t < count; t++) {
      System.arraycopy(x, t * cols, padded, 0, cols);
      format.prepare(padded, 0, stride, values, t * stride, sums16, sums32);
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
