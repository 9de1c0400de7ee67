package org.recycledattention.model.tensor;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The input of one or more matrix products ({@code count} vectors of {@code cols} f32 values),
 * prepared lazily for each {@link InputFormat} the weights ask for and reused until the next
 * {@link #set}: the q, k and v projections of a layer quantize their shared input once. Buffers
 * grow to the largest input seen and are then reused, so a decode loop allocates nothing.
 *
 * <p><b>NOTE:</b> not thread-safe: one sequence's thread sets and prepares it; the kernels that
 * {@link MatMul} runs on other threads only read a prepared {@link Input}.
 */
public final class Activations {
  private final Input[] inputs = new Input[InputFormat.values().length];
  private final boolean[] ready = new boolean[inputs.length];
  private float[] source;
  private int count;
  private int cols;

  /**
   * The next products read {@code count} vectors of {@code cols} values from {@code x} (vector
   * {@code t} at {@code t · cols}). {@code x} must not change until the products are done.
   */
  public Activations set(float[] x, int count, int cols) {
    requireNonNull(x, "x is null");
    if (count < 1 || cols < 1 || (long) count * cols > x.length) {
      throw new IllegalArgumentException(count + " vectors of " + cols + " values do not fit in " + x.length);
    }
    this.source = x;
    this.count = count;
    this.cols = cols;
    Arrays.fill(ready, false);
    return this;
  }

  /** Vectors set. */
  public int count() {
    return count;
  }

  /** Values per vector. */
  public int cols() {
    return cols;
  }

  /** The input prepared as {@code format}, converting it on the first request since {@link #set}. */
  public Input as(InputFormat format) {
    if (source == null) {
      throw new IllegalStateException("no activations set");
    }
    int i = format.ordinal();
    if (inputs[i] == null) {
      inputs[i] = new Input(format);
    }
    if (!ready[i]) {
      inputs[i].prepare(source, count, cols);
      ready[i] = true;
    }
    return inputs[i];
  }
}
