package org.recycledattention.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** {@link Rows} stored as {@code float}: attention reads the tiles and rows in place. */
final class F32Rows extends Rows {
  private float[] keys;
  private float[] values;

  F32Rows(int dim, int capacity) {
    super(dim, capacity);
    this.keys = new float[capacity() * dim + KEY_PADDING];
    this.values = new float[capacity() * dim];
  }

  @Override
  void resizeElements(int capacity) {
    keys = Arrays.copyOf(keys, capacity * dim + KEY_PADDING);
    values = Arrays.copyOf(values, capacity * dim);
  }

  @Override
  void putElements(int slot, float[] k, int kOff, float[] v, int vOff) {
    int base = keyIndex(slot, 0);
    for (int x = 0; x < dim; x++) {
      keys[base + x * TILE] = k[kOff + x];
    }
    System.arraycopy(v, vOff, values, slot * dim, dim);
  }

  @Override
  void copyElements(Rows src, int srcSlot, int dstSlot) {
    F32Rows s = (F32Rows) src;
    int from = s.keyIndex(srcSlot, 0);
    int to = keyIndex(dstSlot, 0);
    for (int x = 0; x < dim; x++) {
      keys[to + x * TILE] = s.keys[from + x * TILE];
    }
    System.arraycopy(s.values, srcSlot * dim, values, dstSlot * dim, dim);
  }

  @Override
  void copyLanes(Rows src, int from, int to, int m) {
    float[] k = ((F32Rows) src).keys;
    if (m == 1) {
      for (int x = 0; x < dim; x++) {
        keys[to + x * TILE] = k[from + x * TILE];
      }
      return;
    }
    VectorMask<Float> lanes = VectorMask.fromLong(VectorMath.SPECIES, (1L << m) - 1);
    for (int x = 0; x < dim; x++) {
      FloatVector.fromArray(VectorMath.SPECIES, k, from + x * TILE, lanes).intoArray(keys, to + x * TILE, lanes);
    }
  }

  @Override
  void gatherValues(Rows src, int[] slots, int count) {
    float[] from = ((F32Rows) src).values;
    forEachRun(slots, count, (s, d, m) -> System.arraycopy(from, s * dim, values, d * dim, m * dim));
  }

  @Override
  void read(int slot, float[] k, float[] v, int off) {
    int base = keyIndex(slot, 0);
    for (int x = 0; x < dim; x++) {
      k[off + x] = keys[base + x * TILE];
    }
    System.arraycopy(values, slot * dim, v, off, dim);
  }

  @Override
  void scoreTiles(int tile, int tiles, float[] q, int qOff, int group, float scale, float[] s, int sOff, int sStride, Scratch scratch) {
    VectorMath.scoreTiles(keys, tile * TILE * dim, tiles, dim, q, qOff, group, scale, s, sOff, sStride);
  }

  @Override
  void accumulate(int from, int count, float[] probs, int stride, int j0, int group, float[] out, int outOff, Scratch scratch) {
    for (int r = 0; r < count; r += BLOCK) {
      int rows = Math.min(BLOCK, count - r);
      VectorMath.accumulateRows(values, (from + r) * dim, rows, dim, probs, j0 + r, stride, group, out, outOff);
    }
  }
}
