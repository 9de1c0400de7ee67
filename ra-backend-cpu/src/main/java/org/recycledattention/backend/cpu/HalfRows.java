package org.recycledattention.backend.cpu;

import java.util.Arrays;

/**
 * {@link Rows} stored as 16-bit floats, IEEE binary16 ({@code f16}) or bfloat16 ({@code bf16}).
 * Attention decodes one row at a time into per-thread scratch (a loop the JIT vectorises) and then
 * runs the f32 kernel on it, so half the bytes come from memory.
 */
final class HalfRows extends Rows {
  private final boolean bf16;
  private short[] keys;
  private short[] values;

  HalfRows(int dim, int capacity, boolean bf16) {
    super(dim, capacity);
    this.bf16 = bf16;
    this.keys = new short[capacity * dim];
    this.values = new short[capacity * dim];
  }

  @Override
  void resizeElements(int capacity) {
    keys = Arrays.copyOf(keys, capacity * dim);
    values = Arrays.copyOf(values, capacity * dim);
  }

  @Override
  void putElements(int slot, float[] k, int kOff, float[] v, int vOff) {
    encode(k, kOff, keys, slot * dim);
    encode(v, vOff, values, slot * dim);
  }

  private void encode(float[] src, int srcOff, short[] dst, int dstOff) {
    if (bf16) {
      for (int i = 0; i < dim; i++) {
        dst[dstOff + i] = toBf16(src[srcOff + i]);
      }
    } else {
      for (int i = 0; i < dim; i++) {
        dst[dstOff + i] = Float.floatToFloat16(src[srcOff + i]);
      }
    }
  }

  /** Rounds to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  private void decode(short[] src, int srcOff, float[] dst) {
    int d = dim;
    if (bf16) {
      for (int i = 0; i < d; i++) {
        dst[i] = Float.intBitsToFloat(src[srcOff + i] << 16);
      }
    } else {
      for (int i = 0; i < d; i++) {
        dst[i] = Float.float16ToFloat(src[srcOff + i]);
      }
    }
  }

  @Override
  void copyElements(Rows src, int srcSlot, int dstSlot) {
    HalfRows s = (HalfRows) src;
    System.arraycopy(s.keys, srcSlot * dim, keys, dstSlot * dim, dim);
    System.arraycopy(s.values, srcSlot * dim, values, dstSlot * dim, dim);
  }

  @Override
  void read(int slot, float[] k, float[] v, int off) {
    float[] row = new float[dim];
    decode(keys, slot * dim, row);
    System.arraycopy(row, 0, k, off, dim);
    decode(values, slot * dim, row);
    System.arraycopy(row, 0, v, off, dim);
  }

  @Override
  void score(int from, int count, float[] q, int qOff, int group, float scale, float[] probs, int stride, int j0, Scratch scratch) {
    int d = dim;
    float[] row = scratch.row;
    float[] lanes = scratch.lanes;
    for (int r = 0; r < count; r++) {
      decode(keys, (from + r) * d, row);
      for (int g = 0; g < group; g++) {
        probs[g * stride + j0 + r] = scale * VectorMath.dot(q, qOff + g * d, row, 0, d, lanes);
      }
    }
  }

  @Override
  void accumulate(int from, int count, float[] probs, int stride, int j0, int group, float[] out, int outOff, Scratch scratch) {
    int d = dim;
    float[] row = scratch.row;
    for (int r = 0; r < count; r++) {
      decode(values, (from + r) * d, row);
      for (int g = 0; g < group; g++) {
        VectorMath.axpy(probs[g * stride + j0 + r], row, 0, out, outOff + g * d, d);
      }
    }
  }
}
