package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.FL;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** GGML {@code F16}: little-endian IEEE half floats, 2 bytes per element. */
public final class F16Tensor implements FloatTensor {
  private final String name;
  private final MemorySegment data;
  private final int rows;
  private final int cols;

  F16Tensor(String name, MemorySegment data, int rows, int cols) {
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
    return GgmlType.F16;
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
    return Vec.f16(data, index * 2);
  }

  @Override
  public float dot(int row, float[] x, int xOffset) {
    long base = (long) row * cols * 2;
    Vec.touch(data, base);
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    int upper = F.loopBound(cols);
    for (; i < upper; i += FL) {
      acc = Vec.halfToFloat(data, base + i * 2L).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
    }
    if (i < cols) {
      // the tail as one masked step: no scalar loop
      VectorMask<Float> m = F.indexInRange(i, cols);
      acc = Vec.halfToFloat(data, base + i * 2L, m.cast(Vec.S)).fma(FloatVector.fromArray(F, x, xOffset + i, m), acc);
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
    long base = (long) row * cols * 2;
    for (int i = 0; i < cols; i++) {
      dst[dstOffset + i] = Vec.f16(data, base + i * 2L);
    }
  }
}
