package org.recycledattention.model.tensor;

import static java.util.Objects.requireNonNull;
import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.FL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * An F32 tensor on the heap, for tests and synthetic models. Takes ownership of the array: the
 * caller must not change it afterwards.
 */
public final class ArrayTensor implements FloatTensor {
  private final String name;
  private final float[] data;
  private final int rows;
  private final int cols;

  public ArrayTensor(String name, float[] data, int rows, int cols) {
    this.name = requireNonNull(name, "name is null");
    this.data = requireNonNull(data, "data is null");
    if (rows < 1 || cols < 1 || (long) rows * cols != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': " + rows + " x " + cols + " does not match " + data.length + " elements");
    }
    this.rows = rows;
    this.cols = cols;
  }

  /** A single-row tensor (a vector). */
  public static ArrayTensor vector(String name, float[] data) {
    return new ArrayTensor(name, data, 1, data.length);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public GgmlType type() {
    return GgmlType.F32;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
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
  public void dotRows(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
    for (int r = from; r < to; r++) {
      out[outOffset + r] = dot(r, x, xOffset);
    }
  }

  @Override
  public void dotRowsBatch(float[] x, int n, float[] out, int from, int to) {
    // tiles of inputs small enough to stay in L2 while the rows stream past
    for (int t0 = 0; t0 < n; t0 += MatMul.BATCH_TILE) {
      int t1 = Math.min(n, t0 + MatMul.BATCH_TILE);
      for (int r = from; r < to; r++) {
        for (int t = t0; t < t1; t++) {
          out[t * rows + r] = dot(r, x, t * cols);
        }
      }
    }
  }

  @Override
  public void copyRow(int row, float[] dst, int dstOffset) {
    System.arraycopy(data, row * cols, dst, dstOffset, cols);
  }
}
