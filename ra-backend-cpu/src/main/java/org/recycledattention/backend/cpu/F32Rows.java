package org.recycledattention.backend.cpu;

import java.util.Arrays;

/** {@link Rows} stored as {@code float}: attention reads the rows in place. */
final class F32Rows extends Rows {
  private float[] keys;
  private float[] values;

  F32Rows(int dim, int capacity) {
    super(dim, capacity);
    this.keys = new float[capacity * dim];
    this.values = new float[capacity * dim];
  }

  @Override
  void resizeElements(int capacity) {
    keys = Arrays.copyOf(keys, capacity * dim);
    values = Arrays.copyOf(values, capacity * dim);
  }

  @Override
  void putElements(int slot, float[] k, int kOff, float[] v, int vOff) {
    System.arraycopy(k, kOff, keys, slot * dim, dim);
    System.arraycopy(v, vOff, values, slot * dim, dim);
  }

  @Override
  void copyElements(Rows src, int srcSlot, int dstSlot) {
    F32Rows s = (F32Rows) src;
    System.arraycopy(s.keys, srcSlot * dim, keys, dstSlot * dim, dim);
    System.arraycopy(s.values, srcSlot * dim, values, dstSlot * dim, dim);
  }

  @Override
  void read(int slot, float[] k, float[] v, int off) {
    System.arraycopy(keys, slot * dim, k, off, dim);
    System.arraycopy(values, slot * dim, v, off, dim);
  }

  @Override
  void score(int from, int count, float[] q, int qOff, int group, float scale, float[] probs, int stride, int j0, Scratch scratch) {
    int d = dim;
    float[] ks = keys;
    float[] lanes = scratch.lanes;
    for (int r = 0; r < count; r++) {
      int kOff = (from + r) * d;
      for (int g = 0; g < group; g++) {
        probs[g * stride + j0 + r] = scale * VectorMath.dot(q, qOff + g * d, ks, kOff, d, lanes);
      }
    }
  }

  @Override
  void accumulate(int from, int count, float[] probs, int stride, int j0, int group, float[] out, int outOff, Scratch scratch) {
    int d = dim;
    float[] vs = values;
    for (int r = 0; r < count; r++) {
      int vOff = (from + r) * d;
      for (int g = 0; g < group; g++) {
        VectorMath.axpy(probs[g * stride + j0 + r], vs, vOff, out, outOff + g * d, d);
      }
    }
  }
}
