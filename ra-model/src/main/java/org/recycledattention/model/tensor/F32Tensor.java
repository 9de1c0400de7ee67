package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.FL;
import static org.recycledattention.model.tensor.Vec.FLOAT;
import static org.recycledattention.model.tensor.Vec.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** GGML {@code F32}: little-endian IEEE floats, 4 bytes per element. */
public final class F32Tensor implements FloatTensor {
  private final String name;
  private final MemorySegment data;
  private final int rows;
  private final int cols;

  F32Tensor(String name, MemorySegment data, int rows, int cols) {
    this.name = name;
    this.data = data;
    this.rows = rows;
    this.cols = cols;
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
  public InputFormat inputFormat() {
    return InputFormat.F32;
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
    return data.get(FLOAT, index * 4);
  }

  @Override
  public float dot(int row, float[] x, int xOffset) {
    long base = (long) row * cols * 4;
    Vec.touch(data, base);
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    int upper = F.loopBound(cols);
    for (; i < upper; i += FL) {
      acc = FloatVector.fromMemorySegment(F, data, base + i * 4L, LE).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
    }
    if (i < cols) {
      // the tail as one masked step: no scalar loop
      VectorMask<Float> m = F.indexInRange(i, cols);
      acc = FloatVector.fromMemorySegment(F, data, base + i * 4L, LE, m).fma(FloatVector.fromArray(F, x, xOffset + i, m), acc);
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
    MemorySegment.copy(data, FLOAT, (long) row * cols * 4, dst, dstOffset, cols);
  }
}
