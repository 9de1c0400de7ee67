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
public final class F32Tensor extends ShapedTensor {
  private final MemorySegment data;

  F32Tensor(String name, MemorySegment data, int rows, int cols) {
    super(name, GgmlType.F32, InputFormat.F32, rows, cols);
    this.data = data;
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

  /**
   * Four rows at a time where the rows are whole vectors: four independent chains of fused
   * multiply-adds (one chain is bound by the FMA latency, about a quarter of the units' throughput)
   * and each vector of {@code x} loaded once for them. Every row's arithmetic is {@link #dot}'s, in
   * the same order, so the results are the same bits.
   */
  @Override
  public void dotRows(Input x, int t, float[] out, int outOffset, int from, int to) {
    float[] v = x.values;
    int offset = t * x.cols;
    int r = from;
    if (cols % FL == 0) {
      for (; r + 4 <= to; r += 4) {
        dot4(r, v, offset, out, outOffset + r);
      }
    }
    for (; r < to; r++) {
      out[outOffset + r] = dot(r, v, offset);
    }
  }

  // small on purpose: C2 must inline every vector call here to intrinsify it
  private void dot4(int row, float[] x, int xOffset, float[] out, int outIndex) {
    long rowBytes = (long) cols * 4;
    long b0 = row * rowBytes;
    Vec.touch(data, b0);
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int i = 0; i < cols; i += FL) {
      FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
      long o = b0 + i * 4L;
      a0 = FloatVector.fromMemorySegment(F, data, o, LE).fma(xv, a0);
      a1 = FloatVector.fromMemorySegment(F, data, o + rowBytes, LE).fma(xv, a1);
      a2 = FloatVector.fromMemorySegment(F, data, o + 2 * rowBytes, LE).fma(xv, a2);
      a3 = FloatVector.fromMemorySegment(F, data, o + 3 * rowBytes, LE).fma(xv, a3);
    }
    out[outIndex] = a0.reduceLanes(VectorOperators.ADD);
    out[outIndex + 1] = a1.reduceLanes(VectorOperators.ADD);
    out[outIndex + 2] = a2.reduceLanes(VectorOperators.ADD);
    out[outIndex + 3] = a3.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void copyRow(int row, float[] dst, int dstOffset) {
    MemorySegment.copy(data, FLOAT, (long) row * cols * 4, dst, dstOffset, cols);
  }
}
