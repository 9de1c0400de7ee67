package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import org.recycledattention.api.cache.Selection;

/**
 * One store of keys and values on the device (a layer's main store or its partial cache), with the
 * sequence position of every entry tracked on the host.
 *
 * <h2>Layout</h2>
 * Keys are kept transposed, {@code [kvHeads, headDim, capacity]}, so the logits of a step are one
 * {@code matmul(q, keys[:, :, :n])} with no transpose op; values are {@code [kvHeads, capacity,
 * headDim]}, so the output is {@code matmul(p, values[:, :n, :])}. Both views are strided slices of
 * the preallocated tensors: attending allocates only the step's small results.
 *
 * <h2>Capacity</h2>
 * Capacity grows by doubling (one copy of the live entries per doubling, so appends are amortised
 * O(1)), never beyond {@code maxEntries + reserve}, and shrinks to twice the live size when fewer
 * than a quarter of the slots are live: the old tensors are closed, so evicted memory really goes
 * back to libtorch. {@code reserve} slots past the live entries are always allocated (the partial
 * cache keeps one for the current token of a {@code Partial} step).
 *
 * <p>Not thread-safe; owned by one {@link LayerCache}.
 */
final class DeviceStore {
  private final PtNDManager manager;
  private final PtNDManager host;
  private final Scratch scratch;
  private final DataType type;
  private final int kvHeads;
  private final int headDim;
  private final int minCapacity;
  private final int maxCapacity;
  private final int reserve;

  private PtNDArray keys; // [kvHeads, headDim, capacity], null when capacity == 0
  private PtNDArray values; // [kvHeads, capacity, headDim]
  private int capacity;
  private int length;
  private int[][] positions; // [kvHeads][capacity]

  DeviceStore(PtNDManager manager, PtNDManager host, Scratch scratch, DataType type, int kvHeads, int headDim, int minCapacity, int maxEntries, int reserve) {
    this.manager = requireNonNull(manager, "manager is null");
    this.host = requireNonNull(host, "host is null");
    this.scratch = requireNonNull(scratch, "scratch is null");
    this.type = requireNonNull(type, "type is null");
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.reserve = reserve;
    this.maxCapacity = maxEntries + reserve;
    this.minCapacity = Math.min(minCapacity, maxCapacity);
    this.positions = new int[kvHeads][0];
  }

  int length() {
    return length;
  }

  int capacity() {
    return capacity;
  }

  int position(int kvHead, int slot) {
    return positions[kvHead][slot];
  }

  /** A view of the first {@code n} key columns, {@code [kvHeads, headDim, n]}; the caller closes it. */
  PtNDArray keysView(int n) {
    return JniUtils.slice(keys, 2, 0, n, 1);
  }

  /** A view of the first {@code n} value rows, {@code [kvHeads, n, headDim]}; the caller closes it. */
  PtNDArray valuesView(int n) {
    return JniUtils.slice(values, 1, 0, n, 1);
  }

  /** Makes room for {@code entries} live entries plus the reserve. */
  void ensureCapacity(int entries) {
    int needed = entries + reserve;
    if (needed <= capacity) {
      return;
    }
    if (needed > maxCapacity) {
      throw new IllegalStateException("store would hold " + entries + " entries; at most " + (maxCapacity - reserve) + " allowed");
    }
    reallocate(Math.min(maxCapacity, Math.max(needed, Math.max(minCapacity, 2 * capacity))));
  }

  /**
   * Appends {@code tokens} entries: {@code keyColumns} {@code [kvHeads, headDim, tokens]} and
   * {@code valueRows} {@code [kvHeads, tokens, headDim]}, any float type (converted on copy).
   */
  void append(PtNDArray keyColumns, PtNDArray valueRows, int[] tokenPositions, int tokens) {
    ensureCapacity(length + tokens);
    int n = length;
    Tensors.assign(keys, keyColumns, new long[] {0, 0, n}, new long[] {kvHeads, headDim, n + tokens});
    Tensors.assign(values, valueRows, new long[] {0, n, 0}, new long[] {kvHeads, n + tokens, headDim});
    for (int h = 0; h < kvHeads; h++) {
      System.arraycopy(tokenPositions, 0, positions[h], n, tokens);
    }
    length = n + tokens;
  }

  /**
   * Copies entry {@code srcSlot} of {@code src} into slot {@code dstSlot} of this store for the KV
   * heads {@code [head0, head1)}. Does not change lengths or positions.
   */
  void copyEntry(DeviceStore src, int srcSlot, int head0, int head1, int dstSlot) {
    int mark = scratch.mark();
    try {
      PtNDArray k = scratch.add(Tensors.view(manager, src.keys, new long[] {head0, 0, srcSlot}, new long[] {head1, headDim, srcSlot + 1}));
      Tensors.assign(keys, k, new long[] {head0, 0, dstSlot}, new long[] {head1, headDim, dstSlot + 1});
      PtNDArray v = scratch.add(Tensors.view(manager, src.values, new long[] {head0, srcSlot, 0}, new long[] {head1, srcSlot + 1, headDim}));
      Tensors.assign(values, v, new long[] {head0, dstSlot, 0}, new long[] {head1, dstSlot + 1, headDim});
    } finally {
      scratch.release(mark);
    }
  }

  /** Appends the newest entry of {@code src} (its last slot, every head). */
  void appendNewestOf(DeviceStore src) {
    ensureCapacity(length + 1);
    int last = src.length - 1;
    copyEntry(src, last, 0, kvHeads, length);
    for (int h = 0; h < kvHeads; h++) {
      positions[h][length] = src.positions[h][last];
    }
    length++;
  }

  /** Writes the newest entry of {@code src} into the reserved slot just past the live entries. */
  void stageNewestOf(DeviceStore src) {
    ensureCapacity(length);
    copyEntry(src, src.length - 1, 0, kvHeads, length);
  }

  /** Replaces slot {@code slot} of head {@code kvHead} with the newest entry of {@code src}. */
  void replaceWithNewestOf(DeviceStore src, int kvHead, int slot) {
    int last = src.length - 1;
    copyEntry(src, last, kvHead, kvHead + 1, slot);
    positions[kvHead][slot] = src.positions[kvHead][last];
  }

  /** Swap-remove: per head, the last entry moves into {@code slotPerHead[h]}; one entry fewer. */
  void swapRemove(int[] slotPerHead) {
    int last = length - 1;
    boolean same = true;
    for (int h = 0; h < kvHeads; h++) {
      same &= slotPerHead[h] == slotPerHead[0];
    }
    if (same) {
      int s = slotPerHead[0];
      if (s != last) {
        copyEntry(this, last, 0, kvHeads, s);
      }
    } else {
      for (int h = 0; h < kvHeads; h++) {
        if (slotPerHead[h] != last) {
          copyEntry(this, last, h, h + 1, slotPerHead[h]);
        }
      }
    }
    for (int h = 0; h < kvHeads; h++) {
      positions[h][slotPerHead[h]] = positions[h][last];
    }
    length = last;
    maybeShrink();
  }

  /**
   * Replaces the contents with the selected entries of {@code src} (which may be this store), in
   * selection order: one device gather per tensor, with the indices as the only upload.
   */
  void gather(DeviceStore src, Selection selection) {
    int m = selection.size();
    long[] flat = new long[kvHeads * m];
    int[][] gathered = new int[kvHeads][m];
    for (int h = 0; h < kvHeads; h++) {
      for (int i = 0; i < m; i++) {
        int s = selection.slot(h, i);
        flat[h * m + i] = s;
        gathered[h][i] = src.positions[h][s];
      }
    }
    int mark = scratch.mark();
    try {
      PtNDArray k = null;
      PtNDArray v = null;
      if (m > 0) {
        PtNDArray idx = Tensors.longTensor(host, manager.getDevice(), flat, scratch, kvHeads, 1, m);
        PtNDArray keyIdx = scratch.add(JniUtils.broadcast(idx, new Shape(kvHeads, headDim, m)));
        k = scratch.add(JniUtils.gather(src.keys, keyIdx, 2));
        PtNDArray rowIdx = scratch.add(JniUtils.reshape(idx, new long[] {kvHeads, m, 1}));
        PtNDArray valueIdx = scratch.add(JniUtils.broadcast(rowIdx, new Shape(kvHeads, m, headDim)));
        v = scratch.add(JniUtils.gather(src.values, valueIdx, 1));
      }
      // k and v are copies now, so src (possibly this) may be overwritten
      length = 0;
      int needed = m + reserve;
      if (capacity < needed || (capacity > minCapacity && needed * 4 < capacity)) {
        reallocate(Math.min(maxCapacity, Math.max(minCapacity, needed + Math.max(16, needed / 4))));
      }
      if (m > 0) {
        Tensors.assign(keys, k, new long[] {0, 0, 0}, new long[] {kvHeads, headDim, m});
        Tensors.assign(values, v, new long[] {0, 0, 0}, new long[] {kvHeads, m, headDim});
      }
      for (int h = 0; h < kvHeads; h++) {
        System.arraycopy(gathered[h], 0, positions[h], 0, m);
      }
      length = m;
    } finally {
      scratch.release(mark);
    }
  }

  /** Frees the tensors; the store is empty with no capacity. */
  void clear() {
    if (keys != null) {
      keys.close();
      values.close();
    }
    keys = null;
    values = null;
    capacity = 0;
    length = 0;
    positions = new int[kvHeads][0];
  }

  private void maybeShrink() {
    int needed = length + reserve;
    if (capacity > minCapacity && needed * 4 < capacity) {
      reallocate(Math.max(minCapacity, 2 * needed));
    }
  }

  private void reallocate(int newCapacity) {
    PtNDArray newKeys = Tensors.empty(manager, type, kvHeads, headDim, newCapacity);
    PtNDArray newValues;
    try {
      newValues = Tensors.empty(manager, type, kvHeads, newCapacity, headDim);
    } catch (RuntimeException e) {
      newKeys.close();
      throw e;
    }
    if (length > 0) {
      int mark = scratch.mark();
      try {
        Tensors.assign(newKeys, scratch.add(keysView(length)), new long[] {0, 0, 0}, new long[] {kvHeads, headDim, length});
        Tensors.assign(newValues, scratch.add(valuesView(length)), new long[] {0, 0, 0}, new long[] {kvHeads, length, headDim});
      } finally {
        scratch.release(mark);
      }
    }
    if (keys != null) {
      keys.close();
      values.close();
    }
    keys = newKeys;
    values = newValues;
    for (int h = 0; h < kvHeads; h++) {
      positions[h] = Arrays.copyOf(positions[h], newCapacity);
    }
    capacity = newCapacity;
  }
}
