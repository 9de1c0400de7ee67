package org.recycledattention.backend.onnx;

import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractWorkingSet;

/**
 * The stores of one layer and its working-set view (checked and counted by {@link AbstractWorkingSet};
 * here only the data moves): the main store ({@code C_f}, or what
 * eviction kept of it), the optional partial cache ({@code C_p}) and the native buffer that
 * attention writes this layer's scores into.
 *
 * <p>Capacity: the main store grows by doubling (at least {@value #MIN_CAPACITY} rows, at most
 * {@code maxTokens}) and shrinks to twice its length when it falls below a quarter of its capacity,
 * so evicted memory goes back to the system while one eviction per step never reallocates. The
 * partial cache always keeps one spare row: a {@code Partial} plan copies the current token there
 * so that partial cache plus current token are one contiguous tensor per head.
 *
 * <p>{@link #version} counts every change; {@link OnnxScores} use it to refuse reads after the
 * layer changed. Not thread-safe, like the cache.
 */
final class OnnxLayer extends AbstractWorkingSet {
  static final int MIN_CAPACITY = 16;
  /** Rows a fresh partial cache gets beyond its selection, for appends and the current token. */
  static final int PARTIAL_SLACK = 16;

  private final int kvHeads;
  private final int dim;
  private final int maxTokens;
  final NativeRows main;
  /** {@code null} when the layer has no partial cache. */
  NativeRows partial;
  final NativeBuffer scores = new NativeBuffer();
  long version;

  OnnxLayer(OnnxKvCache cache, int layer, int kvHeads, int dim, int maxTokens) {
    super(cache, layer);
    this.kvHeads = kvHeads;
    this.dim = dim;
    this.maxTokens = maxTokens;
    this.main = new NativeRows(kvHeads, dim, 0);
  }

  // ---- main store ----

  /** Appends {@code tokens} entries (checked by the cache: they fit in {@code maxTokens}). */
  void store(float[] k, float[] v, int[] positions, int tokens) {
    int length = main.length;
    int need = length + tokens;
    if (need > main.capacity()) {
      main.resize((int) Math.min(maxTokens, Math.max(need, Math.max(MIN_CAPACITY, 2L * main.capacity()))));
    }
    int rowStride = kvHeads * dim;
    for (int h = 0; h < kvHeads; h++) {
      for (int t = 0; t < tokens; t++) {
        int off = t * rowStride + h * dim;
        main.put(h, length + t, k, off, v, off, positions[t]);
      }
    }
    main.length = need;
    version++;
  }

  private void shrinkIfSparse() {
    int length = main.length;
    int capacity = main.capacity();
    if (capacity > MIN_CAPACITY && length < capacity / 4) {
      main.resize(Math.max(MIN_CAPACITY, 2 * length));
    }
  }

  /** Copies the newest main entry into the partial cache's spare row; returns the entries to attend. */
  int stageCurrentToken() {
    int pl = partial.length;
    for (int h = 0; h < kvHeads; h++) {
      partial.copyFrom(main, h, main.length - 1, pl);
    }
    return pl + 1;
  }

  // ---- the working set's data movement (checked and counted by AbstractWorkingSet) ----

  @Override
  protected void changing() {
    version++; // earlier scores of this layer are stale from here on
  }

  @Override
  protected int mainLength() {
    return main.length;
  }

  @Override
  protected boolean hasPartialCache() {
    return partial != null;
  }

  @Override
  protected int partialSize() {
    return partial.length;
  }

  @Override
  protected int mainPosition(int kvHead, int slot) {
    return main.position(kvHead, slot);
  }

  @Override
  protected int partialCachePosition(int kvHead, int slot) {
    return partial.position(kvHead, slot);
  }

  @Override
  protected void swapRemove(int[] slotPerHead) {
    int length = main.length;
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] != length - 1) {
        main.move(h, length - 1, slotPerHead[h]);
      }
    }
    main.length = length - 1;
    shrinkIfSparse();
  }

  @Override
  protected void keep(Selection selection) {
    int size = selection.size();
    for (int h = 0; h < kvHeads; h++) {
      // slots ascend, so slot(i) >= i: compacting front to back never overwrites a kept entry
      for (int i = 0; i < size; i++) {
        int s = selection.slot(h, i);
        if (s != i) {
          main.move(h, s, i);
        }
      }
    }
    main.length = size;
    shrinkIfSparse();
  }

  @Override
  protected void gather(Selection selection) {
    int size = selection.size();
    if (partial == null || partial.capacity() < size + 1 || partial.capacity() / 4 > size + PARTIAL_SLACK) {
      NativeRows fresh = new NativeRows(kvHeads, dim, size + 1 + PARTIAL_SLACK);
      if (partial != null) {
        partial.close();
      }
      partial = fresh;
    }
    for (int h = 0; h < kvHeads; h++) {
      for (int i = 0; i < size; i++) {
        partial.copyFrom(main, h, selection.slot(h, i), i);
      }
    }
    partial.length = size;
  }

  @Override
  protected void appendNewestToPartial() {
    int pl = partial.length;
    if (pl + 2 > partial.capacity()) { // keep the spare row for the current token
      partial.resize(Math.max(pl + 2, 2 * partial.capacity()));
    }
    for (int h = 0; h < kvHeads; h++) {
      partial.copyFrom(main, h, main.length - 1, pl);
    }
    partial.length = pl + 1;
  }

  @Override
  protected void replaceInPartial(int[] slotPerHead) {
    for (int h = 0; h < kvHeads; h++) {
      partial.copyFrom(main, h, main.length - 1, slotPerHead[h]);
    }
  }

  @Override
  protected void freePartial() {
    partial.close();
    partial = null;
  }

  /** Frees every store (close). */
  void free() {
    main.close();
    if (partial != null) {
      partial.close();
      partial = null;
    }
    scores.close();
    version++;
  }
}
