package org.recycledattention.backend.cpu;

import java.util.Arrays;

/**
 * The entries of one store (main or partial) of one KV head: keys and values as two contiguous
 * arrays of {@code capacity × headDim} elements, and the sequence position of each slot. Values
 * are row-major. Keys are in tiles of {@link #TILE} slots, transposed within the tile (element
 * {@code x} of slot {@code s} at {@code (s / TILE) · TILE · dim + x · TILE + s % TILE}), so that
 * one vector instruction advances the dot products of a whole tile. Capacity is a multiple of
 * {@link #TILE}. Subclasses fix the element type; the attention kernel reaches the elements only
 * through {@link #score} and {@link #accumulate}, which walk slots in order.
 *
 * <p>Not thread-safe. During an attention call several threads read disjoint heads' rows; nothing
 * writes then.
 */
abstract sealed class Rows permits F32Rows, HalfRows {
  /** Keys per tile: one per lane of the preferred float vector. */
  static final int TILE = VectorMath.lanes();
  /**
   * Elements past the last key tile: a gather's vector reads and writes two tile rows from a lane
   * inside the tile, so the last tile's last rows reach up to two rows past it. The padding keeps
   * every such vector inside the array, where the Vector API's masked access compiles to one
   * instruction (near the end it takes a per-lane path, and the JIT deoptimises when it first meets it).
   */
  static final int KEY_PADDING = 2 * TILE;
  /** Value rows {@link #accumulate} combines per pass: small enough for L1 at every head size. */
  static final int BLOCK = 16;

  final int dim;
  int length;
  int[] positions;

  Rows(int dim, int capacity) {
    this.dim = dim;
    this.positions = new int[roundUp(capacity)];
  }

  static int roundUp(int capacity) {
    return (capacity + TILE - 1) / TILE * TILE;
  }

  /** Index of element {@code x} of slot {@code slot}'s key in the tiled key array. */
  final int keyIndex(int slot, int x) {
    return (slot / TILE) * TILE * dim + x * TILE + slot % TILE;
  }

  final int capacity() {
    return positions.length;
  }

  /** Reallocates to {@code capacity} slots, rounded up to whole tiles, keeping the entries. */
  final void resize(int requested) {
    int capacity = roundUp(requested);
    if (capacity < length) {
      throw new IllegalStateException("cannot resize " + length + " entries to capacity " + capacity);
    }
    positions = Arrays.copyOf(positions, capacity);
    resizeElements(capacity);
  }

  abstract void resizeElements(int capacity);

  /** Stores one entry at {@code slot}: {@code k[kOff ..]} and {@code v[vOff ..]}, {@code dim} each. */
  final void put(int slot, float[] k, int kOff, float[] v, int vOff, int position) {
    positions[slot] = position;
    putElements(slot, k, kOff, v, vOff);
  }

  abstract void putElements(int slot, float[] k, int kOff, float[] v, int vOff);

  /** Copies entry {@code srcSlot} of {@code src} (same element type) to {@code dstSlot}, bit-exactly. */
  final void copy(Rows src, int srcSlot, int dstSlot) {
    positions[dstSlot] = src.positions[srcSlot];
    copyElements(src, srcSlot, dstSlot);
  }

  abstract void copyElements(Rows src, int srcSlot, int dstSlot);

  /**
   * Copies entries {@code slots[0 .. count)} of {@code src} (same element type) to slots {@code 0 ..
   * count)} of this store, bit-exactly: the partial cache's gather.
   */
  final void gather(Rows src, int[] slots, int count) {
    gatherKeys(src, slots, count);
    gatherValues(src, slots, count);
  }

  /**
   * {@link #gather}'s positions and keys, one destination tile at a time. The tile's selection is cut
   * into segments of consecutive slots that stay within one source tile (selections come in runs: max
   * pooling selects neighbours); a segment of {@code m} keys is one contiguous run of {@code m} lanes
   * in every tile row of both stores, and {@link #copyTile} moves a tile's segments row by row.
   * Copying key by key would stride a whole tile row per element.
   */
  final void gatherKeys(Rows src, int[] slots, int count) {
    for (int i = 0; i < count; i++) {
      positions[i] = src.positions[slots[i]];
    }
    int[] from = new int[TILE];
    int[] lane = new int[TILE];
    int[] length = new int[TILE];
    for (int d = 0; d < count; d += TILE) {
      int end = Math.min(count, d + TILE);
      int segments = 0;
      int i = d;
      while (i < end) {
        int s0 = slots[i];
        // extend while the slots are consecutive and the source tile does not end
        int m = 1;
        while (i + m < end && slots[i + m] == s0 + m && (s0 + m) % TILE != 0) {
          m++;
        }
        from[segments] = src.keyIndex(s0, 0);
        lane[segments] = i - d;
        length[segments++] = m;
        i += m;
      }
      copyTile(src, from, lane, length, segments, keyIndex(d, 0));
    }
  }

  /**
   * Copies {@code segments} runs of lanes into the destination tile whose first element is at key
   * index {@code to}: run {@code j} is lanes {@code [0, length[j])} of {@code src}'s key element index
   * {@code from[j]} (within one source tile) to lanes {@code [lane[j], lane[j] + length[j])}, in every
   * tile row. Lanes of the tile that no run names keep their elements.
   */
  void copyTile(Rows src, int[] from, int[] lane, int[] length, int segments, int to) {
    for (int j = 0; j < segments; j++) {
      copyLanes(src, from[j], to + lane[j], length[j]);
    }
  }

  /**
   * Copies lanes {@code [0, m)} from {@code src}'s key element index {@code from} to this store's
   * {@code to}, for every tile row ({@code dim} rows {@code TILE} elements apart), {@code m <=
   * TILE - from % TILE} and {@code m <= TILE - to % TILE}.
   */
  abstract void copyLanes(Rows src, int from, int to, int m);

  /**
   * Runs of consecutive slots in {@code slots[0 .. count)}: calls {@code copy.run(first source
   * slot, first destination slot, length)} for each, in order.
   */
  static void forEachRun(int[] slots, int count, RunCopy copy) {
    int i = 0;
    while (i < count) {
      int s0 = slots[i];
      int m = 1;
      while (i + m < count && slots[i + m] == s0 + m) {
        m++;
      }
      copy.run(s0, i, m);
      i += m;
    }
  }

  /** A copy of {@code length} consecutive entries. */
  @FunctionalInterface
  interface RunCopy {
    void run(int from, int to, int length);
  }

  /** {@link #gather}'s values: whole rows. */
  abstract void gatherValues(Rows src, int[] slots, int count);

  /** {@link #copy} within this store. */
  final void move(int from, int to) {
    copy(this, from, to);
  }

  /** Reads one entry back as floats (decoded), into {@code k[off ..]} and {@code v[off ..]}. */
  abstract void read(int slot, float[] k, float[] v, int off);

  /**
   * Raw scores of rows {@code [from, from + count)} against {@code group} query heads: {@code
   * probs[g · stride + j0 + r] = scale · (q[qOff + g · dim ..] · key[from + r])}. A row's score
   * depends only on its key and the query, never on where the row lies in its tile.
   */
  final void score(int from, int count, float[] q, int qOff, int group, float scale,
      float[] probs, int stride, int j0, Scratch scratch) {
    int end = from + count;
    int tileStart = from / TILE * TILE;
    while (tileStart < end) {
      if (tileStart >= from && tileStart + TILE <= end) {
        // a run of whole tiles, scored in place, up to TILES_PER_PASS at a time
        int tiles = Math.min(VectorMath.TILES_PER_PASS, (end - tileStart) / TILE);
        scoreTiles(tileStart / TILE, tiles, q, qOff, group, scale, probs, j0 + tileStart - from, stride, scratch);
        tileStart += tiles * TILE;
      } else {
        float[] t = scratch.tileScores(group);
        scoreTiles(tileStart / TILE, 1, q, qOff, group, scale, t, 0, TILE, scratch);
        int lo = Math.max(from, tileStart);
        int hi = Math.min(end, tileStart + TILE);
        for (int g = 0; g < group; g++) {
          System.arraycopy(t, g * TILE + lo - tileStart, probs, g * stride + j0 + lo - from, hi - lo);
        }
        tileStart += TILE;
      }
    }
  }

  /**
   * {@link VectorMath#scoreTiles} of the {@code tiles} key tiles from {@code tile} (at most {@link
   * VectorMath#TILES_PER_PASS}) into {@code s[g · sStride + sOff + l]}.
   */
  abstract void scoreTiles(int tile, int tiles, float[] q, int qOff, int group, float scale, float[] s, int sOff, int sStride, Scratch scratch);

  /**
   * {@code out[outOff + g · dim ..] += probs[g · stride + j0 + r] · value[from + r]} for every row
   * {@code r < count} in order and every {@code g < group}.
   */
  abstract void accumulate(int from, int count, float[] probs, int stride, int j0, int group,
      float[] out, int outOff, Scratch scratch);

  /**
   * {@link #accumulate} of rows {@code [0, count)}, and {@code into}'s values gathered from the rows
   * {@code slots[0 .. selected)} (ascending, below {@code count}) as {@link #gatherValues} does.
   * Stores that decode their values a block at a time override this to copy each block's selected
   * rows while the block is in cache; this one accumulates, then gathers.
   */
  void accumulateAndGather(int count, float[] probs, int stride, int group, float[] out, int outOff, Scratch scratch,
      Rows into, int[] slots, int selected) {
    accumulate(0, count, probs, stride, 0, group, out, outOff, scratch);
    into.gatherValues(this, slots, selected);
  }

  /** Per-thread scratch of the kernel. */
  static final class Scratch {
    final float[] lanes = new float[VectorMath.lanes()];
    /** The in-place selection's scratch ({@link CpuScores#precompute}). */
    final TopK topK = new TopK();
    final float[] block;
    final float[] tile;
    private float[] tileScores = new float[0];
    float[] probs = new float[0];

    Scratch(int dim) {
      this.block = new float[BLOCK * dim];
      this.tile = new float[VectorMath.TILES_PER_PASS * TILE * dim];
    }

    float[] tileScores(int group) {
      if (tileScores.length < group * TILE) {
        tileScores = new float[group * TILE];
      }
      return tileScores;
    }

    void ensureProbs(int size) {
      if (probs.length < size) {
        probs = new float[Math.max(size, probs.length + (probs.length >> 1))];
      }
    }
  }
}
