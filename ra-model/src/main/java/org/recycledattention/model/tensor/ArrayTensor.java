package org.recycledattention.model.tensor;

import static java.util.Objects.requireNonNull;
import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.FL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * An F32 tensor on the heap, for tests and synthetic models. Takes ownership of the array: the
 * caller must not change it afterwards. Its products read f32 activations unless it is given
 * another {@link InputFormat}: a dequantized copy of a quantized tensor, reading the same format,
 * computes what the original computes.
 */
public final class ArrayTensor extends ShapedTensor {
  private final float[] data;

  public ArrayTensor(String name, float[] data, int rows, int cols) {
    this(name, data, rows, cols, InputFormat.F32);
  }

  public ArrayTensor(String name, float[] data, int rows, int cols, InputFormat inputFormat) {
    requireNonNull(inputFormat, "inputFormat is null");
    requireNonNull(name, "name is null");
    requireNonNull(data, "data is null");
    if (rows < 1 || cols < 1 || (long) rows * cols != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': " + rows + " x " + cols + " does not match " + data.length + " elements");
    }
    super(name, GgmlType.F32, inputFormat, rows, cols);
    this.data = data;
  }

  /** A single-row tensor (a vector). */
  public static ArrayTensor vector(String name, float[] data) {
    return new ArrayTensor(name, data, 1, data.length);
  }






  @Override
  public float get(long index) {
    return data[Math.toIntExact(index)];
  }

  @Override
  public float dot(int row, float[] x, int xOffset) {
    int base = row * cols;
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    int upper = F.loopBound(cols);
    for (; i < upper; i += FL) {
      acc = FloatVector.fromArray(F, data, base + i).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
    }
    if (i < cols) {
      // the tail as one masked step: no scalar loop
      VectorMask<Float> m = F.indexInRange(i, cols);
      acc = FloatVector.fromArray(F, data, base + i, m).fma(FloatVector.fromArray(F, x, xOffset + i, m), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void dotRows(Input x, int t, float[] out, int outOffset, int from, int to) {
    float[] v = x.values;
    int offset = t * x.cols;
    for (int r = from; r < to; r++) {
      out[outOffset + r] = dot(r, v, offset);
    }
  }

  @Override
  public void copyRow(int row, float[] dst, int dstOffset) {
    System.arraycopy(data, row * cols, dst, dstOffset, cols);
  }
}
