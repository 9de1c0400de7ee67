package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.FL;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code F16} (little-endian IEEE half floats) or {@code BF16} (the upper 16 bits of an f32),
 * 2 bytes per element. Activations are rounded to the same half type first ({@link
 * InputFormat#F16}, {@link InputFormat#BF16}), as llama.cpp does.
 */
public final class HalfTensor extends ShapedTensor {
  private final MemorySegment data;
  private final boolean bf16;

  HalfTensor(String name, MemorySegment data, int rows, int cols, boolean bf16) {
    super(name, bf16 ? GgmlType.BF16 : GgmlType.F16, bf16 ? InputFormat.BF16 : InputFormat.F16, rows, cols);
    this.data = data;
    this.bf16 = bf16;
  }

  /** f32 to bf16 bits, rounding to nearest even; a NaN stays a quiet NaN (ggml's {@code GGML_FP32_TO_BF16}). */
  public static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 64);
    }
    return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
  }






  @Override
  public float get(long index) {
    return bf16 ? Vec.bf16(data, index * 2) : Vec.f16(data, index * 2);
  }

  @Override
  public float dot(int row, float[] x, int xOffset) {
    long base = (long) row * cols * 2;
    Vec.touch(data, base);
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    int upper = F.loopBound(cols);
    // one loop per format, no helper call in it: the loads must compile into this method, after the touch
    if (bf16) {
      for (; i < upper; i += FL) {
        acc = Vec.bf16ToFloat(data, base + i * 2L).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
      }
    } else {
      for (; i < upper; i += FL) {
        acc = Vec.halfToFloat(data, base + i * 2L).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
      }
    }
    if (i < cols) {
      // the tail as one masked step: no scalar loop
      VectorMask<Float> m = F.indexInRange(i, cols);
      VectorMask<Short> halves = m.cast(Vec.S);
      FloatVector w = bf16 ? Vec.bf16ToFloat(data, base + i * 2L, halves) : Vec.halfToFloat(data, base + i * 2L, halves);
      acc = w.fma(FloatVector.fromArray(F, x, xOffset + i, m), acc);
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
    long base = (long) row * cols * 2;
    for (int i = 0; i < cols; i++) {
      dst[dstOffset + i] = get(base / 2 + i);
    }
  }
}
