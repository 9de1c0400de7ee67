package org.recycledattention.backend.cpu;

import java.util.Arrays;

/** {@link Rows} stored as {@code float}: attention reads the tiles and rows in place. */
final class F32Rows extends Rows {
  private float[] keys;
  private float[] values;

  F32Rows(int dim, int capacity) {
    super(dim, capacity);
    this.keys = new float[capacity() * dim];
    this.values = new float[capacity() * dim];
  }

  @Override
  void resizeElements(int capacity) {
    keys = Arrays.copyOf(keys, capacity * dim);
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

  /**
   * Tile by tile: each destination tile's row {@code x} is filled from the source tiles' rows {@code
   * x}. Copying entry by entry strides {@code TILE} floats per element and touches a cache line per
   * element; selections come in runs (max pooling selects neighbours), so here consecutive lanes
   * mostly read the same source line.
   */
  @Override
  void gatherElements(Rows src, int[] slots, int count) {
    F32Rows s = (F32Rows) src;
    int[] base = new int[TILE];
    for (int t0 = 0; t0 < count; t0 += TILE) {
      int n = Math.min(TILE, count - t0);
      for (int l = 0; l < n; l++) {
        base[l] = s.keyIndex(slots[t0 + l], 0);
      }
      int dst = keyIndex(t0, 0);
      for (int x = 0; x < dim; x++) {
        int row = dst + x * TILE;
        int off = x * TILE;
        for (int l = 0; l < n; l++) {
          keys[row + l] = s.keys[base[l] + off];
        }
      }
      for (int l = 0; l < n; l++) {
        System.arraycopy(s.values, slots[t0 + l] * dim, values, (t0 + l) * dim, dim);
      }
    }
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
