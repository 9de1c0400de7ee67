package org.recycledattention.backend.cpu;

import java.util.Arrays;

/**
 * The entries of one store (main or partial) of one KV head: keys and values as two contiguous
 * row-major arrays of {@code capacity × headDim} elements, and the sequence position of each slot.
 * Subclasses fix the element type; the attention kernel reaches the elements only through {@link
 * #score} and {@link #accumulate}, which walk rows in slot order.
 *
 * <p>Not thread-safe. During an attention call several threads read disjoint heads' rows; nothing
 * writes then.
 */
abstract sealed class Rows permits F32Rows, HalfRows {
  final int dim;
  int length;
  int[] positions;

  Rows(int dim, int capacity) {
    this.dim = dim;
    this.positions = new int[capacity];
  }

  final int capacity() {
    return positions.length;
  }

  /** Reallocates to {@code capacity} slots (at least {@link #length}), keeping the entries. */
  final void resize(int capacity) {
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

  /** {@link #copy} within this store. */
  final void move(int from, int to) {
    copy(this, from, to);
  }

  /** Reads one entry back as floats (decoded), into {@code k[off ..]} and {@code v[off ..]}. */
  abstract void read(int slot, float[] k, float[] v, int off);

  /**
   * Raw scores of rows {@code [from, from + count)} against {@code group} query heads: {@code
   * probs[g · stride + j0 + r] = scale · (q[qOff + g · dim ..] · key[from + r])}.
   */
  abstract void score(int from, int count, float[] q, int qOff, int group, float scale,
      float[] probs, int stride, int j0, Scratch scratch);

  /**
   * {@code out[outOff + g · dim ..] += probs[g · stride + j0 + r] · value[from + r]} for every row
   * {@code r < count} in order and every {@code g < group}.
   */
  abstract void accumulate(int from, int count, float[] probs, int stride, int j0, int group,
      float[] out, int outOff, Scratch scratch);

  /** Per-thread scratch of the kernel. */
  static final class Scratch {
    final float[] lanes = new float[VectorMath.lanes()];
    final float[] row;
    float[] probs = new float[0];

    Scratch(int dim) {
      this.row = new float[dim];
    }

    void ensureProbs(int size) {
      if (probs.length < size) {
        probs = new float[Math.max(size, probs.length + (probs.length >> 1))];
      }
    }
  }
}
