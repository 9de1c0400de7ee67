package org.recycledattention.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Rows} stored as 16-bit floats, IEEE binary16 ({@code f16}) or bfloat16 ({@code bf16}).
 * Attention widens each vector of keys or values to f32 in registers as the kernels load it
 * ({@link HalfKernels}), so half the bytes come from memory; an f16 store that holds an infinity or
 * a NaN instead decodes one key tile or block of value rows at a time into per-thread scratch and
 * runs the f32 kernel on it. Both are exact and give the same bits, so results depend only on the
 * stored bits.
 */
final class HalfRows extends Rows {
  /** Shorts of two key tile rows (two of a float vector's lane count); null where no such shape exists. */
  private static final VectorSpecies<Short> PAIRS = TILE >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(2 * TILE * Short.SIZE)) : null;
  private final boolean bf16;
  private short[] keys;
  private short[] values;
  /**
   * Whether an f16 infinity or NaN was ever written here (kept through copies, never cleared): the
   * kernels that widen in registers ({@link HalfKernels}) do not convert those, so this store then
   * decodes instead. Unused for bf16, which widens exactly.
   */
  private boolean nonFinite;
  /** {@link #copyTile}'s scratch, per run: source offset lined up with the destination, lanes in both tile rows. */
  private final int[] shift = new int[TILE];
  private final long[] laneBits = new long[TILE];

  HalfRows(int dim, int capacity, boolean bf16) {
    super(dim, capacity);
    this.bf16 = bf16;
    this.keys = new short[capacity() * dim + KEY_PADDING];
    this.values = new short[capacity() * dim];
  }

  @Override
  void resizeElements(int capacity) {
    keys = Arrays.copyOf(keys, capacity * dim + KEY_PADDING);
    values = Arrays.copyOf(values, capacity * dim);
  }

  /** Rounds to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** Whether this store's kernels widen in registers ({@link HalfKernels}) rather than decode into scratch. */
  private boolean widens() {
    return HalfKernels.available() && (bf16 || !nonFinite);
  }

  private short encode(float f) {
    return bf16 ? toBf16(f) : Float.floatToFloat16(f);
  }

  private float decode(short h) {
    return bf16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
  }

  /** Decodes {@code n} elements from {@code src[srcOff ..]} into {@code dst[0 .. n)}. */
  private void decode(short[] src, int srcOff, float[] dst, int n) {
    if (!bf16) {
      VectorMath.decodeF16(src, srcOff, dst, n);
      return;
    }
    int whole = n / TILE * TILE;
    VectorMath.decodeBf16(src, srcOff, dst, whole);
    for (int i = whole; i < n; i++) {
      dst[i] = Float.intBitsToFloat(src[srcOff + i] << 16);
    }
  }

  @Override
  void putElements(int slot, float[] k, int kOff, float[] v, int vOff) {
    int base = keyIndex(slot, 0);
    boolean special = false;
    for (int x = 0; x < dim; x++) {
      short h = encode(k[kOff + x]);
      keys[base + x * TILE] = h;
      special |= HalfKernels.nonFinite(h);
    }
    int vBase = slot * dim;
    for (int x = 0; x < dim; x++) {
      short h = encode(v[vOff + x]);
      values[vBase + x] = h;
      special |= HalfKernels.nonFinite(h);
    }
    nonFinite |= special;
  }

  @Override
  void copyElements(Rows src, int srcSlot, int dstSlot) {
    HalfRows s = (HalfRows) src;
    nonFinite |= s.nonFinite;
    int from = s.keyIndex(srcSlot, 0);
    int to = keyIndex(dstSlot, 0);
    for (int x = 0; x < dim; x++) {
      keys[to + x * TILE] = s.keys[from + x * TILE];
    }
    System.arraycopy(s.values, srcSlot * dim, values, dstSlot * dim, dim);
  }

  @Override
  void copyLanes(Rows src, int from, int to, int m) {
    short[] k = ((HalfRows) src).keys;
    nonFinite |= ((HalfRows) src).nonFinite;
    int x = 0;
    if (PAIRS != null) {
      // two tile rows are adjacent: one masked vector moves the run's lanes of both
      long run = (1L << m) - 1;
      VectorMask<Short> lanes = VectorMask.fromLong(PAIRS, run | run << TILE);
      for (; x + 2 <= dim; x += 2) {
        ShortVector.fromArray(PAIRS, k, from + x * TILE, lanes).intoArray(keys, to + x * TILE, lanes);
      }
    }
    for (; x < dim; x++) {
      int f = from + x * TILE;
      int t = to + x * TILE;
      for (int l = 0; l < m; l++) {
        keys[t + l] = k[f + l];
      }
    }
  }

  /**
   * The tile row by row, every run of the tile blended into one vector per pair of tile rows: the
   * source loaded from where its lanes line up with the destination's, and the result stored once
   * (blending run by run into the stored tile instead loads each destination row back right after
   * storing it, once per run). A tile whose runs cover every lane starts from the first run's
   * load; one that does not (the last, partly filled tile) from its own elements, which the lanes
   * outside the runs keep. The loads reach less than a tile row past a run's source tile, inside
   * the key padding; never before the array's start: slots ascend, so a slot's lane in the source's
   * first tile is at least its lane in the destination.
   */
  @Override
  void copyTile(Rows src, int[] from, int[] lane, int[] length, int segments, int to) {
    if (PAIRS == null) {
      super.copyTile(src, from, lane, length, segments, to);
      return;
    }
    short[] k = ((HalfRows) src).keys;
    nonFinite |= ((HalfRows) src).nonFinite;
    int covered = 0;
    for (int j = 0; j < segments; j++) {
      shift[j] = from[j] - lane[j];
      long run = ((1L << length[j]) - 1) << lane[j];
      laneBits[j] = run | run << TILE;
      covered += length[j];
    }
    boolean whole = covered == TILE;
    int x = 0;
    for (; x + 2 <= dim; x += 2) {
      int row = x * TILE;
      ShortVector tile = whole ? ShortVector.fromArray(PAIRS, k, shift[0] + row) : ShortVector.fromArray(PAIRS, keys, to + row);
      for (int j = whole ? 1 : 0; j < segments; j++) {
        tile = tile.blend(ShortVector.fromArray(PAIRS, k, shift[j] + row), VectorMask.fromLong(PAIRS, laneBits[j]));
      }
      tile.intoArray(keys, to + row);
    }
    for (; x < dim; x++) {
      for (int j = 0; j < segments; j++) {
        for (int l = 0; l < length[j]; l++) {
          keys[to + x * TILE + lane[j] + l] = k[from[j] + x * TILE + l];
        }
      }
    }
  }

  @Override
  void gatherValues(Rows src, int[] slots, int count) {
    short[] from = ((HalfRows) src).values;
    nonFinite |= ((HalfRows) src).nonFinite;
    forEachRun(slots, count, (s, d, m) -> System.arraycopy(from, s * dim, values, d * dim, m * dim));
  }

  @Override
  void read(int slot, float[] k, float[] v, int off) {
    int base = keyIndex(slot, 0);
    for (int x = 0; x < dim; x++) {
      k[off + x] = decode(keys[base + x * TILE]);
      v[off + x] = decode(values[slot * dim + x]);
    }
  }

  @Override
  void scoreTiles(int tile, int tiles, float[] q, int qOff, int group, float scale, float[] s, int sOff, int sStride, Scratch scratch) {
    if (widens()) {
      HalfKernels.scoreTiles(keys, tile * TILE * dim, tiles, dim, q, qOff, group, scale, s, sOff, sStride, bf16);
      return;
    }
    float[] t = scratch.tile;
    decode(keys, tile * TILE * dim, t, tiles * TILE * dim);
    VectorMath.scoreTiles(t, 0, tiles, dim, q, qOff, group, scale, s, sOff, sStride);
  }

  @Override
  void accumulate(int from, int count, float[] probs, int stride, int j0, int group, float[] out, int outOff, Scratch scratch) {
    if (widens() && HalfKernels.accumulates(dim)) {
      HalfKernels.accumulateRows(values, from * dim, count, dim, probs, j0, stride, group, out, outOff, bf16);
      return;
    }
    float[] block = scratch.block;
    for (int r = 0; r < count; r += BLOCK) {
      int rows = Math.min(BLOCK, count - r);
      decode(values, (from + r) * dim, block, rows * dim);
      VectorMath.accumulateRows(block, 0, rows, dim, probs, j0 + r, stride, group, out, outOff);
    }
  }
  /** {@link #accumulate} block by block, each block's selected rows copied right after it is read. */
  @Override
  void accumulateAndGather(int count, float[] probs, int stride, int group, float[] out, int outOff, Scratch scratch,
      Rows into, int[] slots, int selected) {
    short[] to = ((HalfRows) into).values;
    ((HalfRows) into).nonFinite |= nonFinite;
    boolean widen = widens() && HalfKernels.accumulates(dim);
    float[] block = scratch.block;
    int next = 0;
    for (int r = 0; r < count; r += BLOCK) {
      int rows = Math.min(BLOCK, count - r);
      if (widen) {
        HalfKernels.accumulateRows(values, r * dim, rows, dim, probs, r, stride, group, out, outOff, bf16);
      } else {
        decode(values, r * dim, block, rows * dim);
        VectorMath.accumulateRows(block, 0, rows, dim, probs, r, stride, group, out, outOff);
      }
      int end = r + rows;
      while (next < selected && slots[next] < end) {
        int first = slots[next];
        int run = 1;
        while (next + run < selected && slots[next + run] == first + run && first + run < end) {
          run++;
        }
        System.arraycopy(values, first * dim, to, next * dim, run * dim);
        next += run;
      }
    }
  }

}
