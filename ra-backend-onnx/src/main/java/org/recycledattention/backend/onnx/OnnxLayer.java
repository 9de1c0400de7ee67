package org.recycledattention.backend.onnx;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * The stores of one layer and its {@link WorkingSet} view: the main store ({@code C_f}, or what
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
final class OnnxLayer implements WorkingSet {
  static final int MIN_CAPACITY = 16;
  /** Rows a fresh partial cache gets beyond its selection, for appends and the current token. */
  static final int PARTIAL_SLACK = 16;

  private final OnnxKvCache cache;
  private final int layer;
  private final int kvHeads;
  private final int dim;
  private final int maxTokens;
  final NativeRows main;
  /** {@code null} when the layer has no partial cache. */
  NativeRows partial;
  final NativeBuffer scores = new NativeBuffer();
  long version;

  OnnxLayer(OnnxKvCache cache, int layer, int kvHeads, int dim, int maxTokens) {
    this.cache = cache;
    this.layer = layer;
    this.kvHeads = kvHeads;
    this.dim = dim;
    this.maxTokens = maxTokens;
    this.main = new NativeRows(kvHeads, dim, 0);
  }

  // ---- main store ----

  void append(float[] k, float[] v, int[] positions, int tokens) {
    int length = main.length;
    if ((long) length + tokens > maxTokens) {
      throw new IllegalStateException("layer " + layer + " holds " + length + " entries; appending " + tokens
          + " would exceed the cache's maxTokens of " + maxTokens + "; allocate the cache with a larger maxTokens");
    }
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
    cache.adjustResident(tokens);
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

  // ---- WorkingSet ----

  @Override
  public int layer() {
    return layer;
  }

  @Override
  public int kvHeads() {
    return kvHeads;
  }

  @Override
  public int length() {
    cache.checkOpen();
    return main.length;
  }

  @Override
  public int partialLength() {
    cache.checkOpen();
    return partial == null ? 0 : partial.length;
  }

  boolean hasPartial() {
    return partial != null;
  }

  @Override
  public int position(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    if (slot < 0 || slot >= main.length) {
      throw new IllegalArgumentException("slot " + slot + " out of range: layer " + layer + " main store holds " + main.length + " entries");
    }
    return main.position(kvHead, slot);
  }

  @Override
  public int partialPosition(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    int pl = partial == null ? 0 : partial.length;
    if (slot < 0 || slot >= pl) {
      throw new IllegalArgumentException("partial slot " + slot + " out of range: layer " + layer + " partial cache holds " + pl + " entries");
    }
    return partial.position(kvHead, slot);
  }

  @Override
  public void evict(int[] slotPerHead) {
    cache.checkOpen();
    requireNonNull(slotPerHead, "slotPerHead is null");
    checkPerHead(slotPerHead, "slotPerHead");
    int length = main.length;
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] < 0 || slotPerHead[h] >= length) {
        throw new IllegalArgumentException("cannot evict slot " + slotPerHead[h] + " of KV head " + h + ": layer " + layer
            + " main store holds " + length + " entries");
      }
    }
    clearPartial();
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] != length - 1) {
        main.move(h, length - 1, slotPerHead[h]);
      }
    }
    main.length = length - 1;
    version++;
    cache.adjustResident(-1);
    shrinkIfSparse();
  }

  @Override
  public void retain(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    int length = main.length;
    int size = selection.size();
    clearPartial();
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
    version++;
    cache.adjustResident(size - length);
    shrinkIfSparse();
  }

  @Override
  public void gatherPartial(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    int size = selection.size();
    int old = partial == null ? 0 : partial.length;
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
    version++;
    cache.adjustResident(size - old);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    cache.checkOpen();
    requireNonNull(replaceSlotPerHead, "replaceSlotPerHead is null");
    if (partial == null) {
      throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial first");
    }
    checkPerHead(replaceSlotPerHead, "replaceSlotPerHead");
    int length = main.length;
    if (length == 0) {
      throw new IllegalStateException("layer " + layer + " main store is empty; append the current token first");
    }
    int pl = partial.length;
    int appends = 0;
    for (int h = 0; h < kvHeads; h++) {
      int s = replaceSlotPerHead[h];
      if (s == -1) {
        appends++;
      } else if (s < 0 || s >= pl) {
        throw new IllegalArgumentException("partial slot " + s + " of KV head " + h + " out of range: layer " + layer
            + " partial cache holds " + pl + " entries (use -1 to append)");
      }
    }
    if (appends != 0 && appends != kvHeads) {
      throw new IllegalArgumentException("replaceSlotPerHead must be -1 for every KV head (append) or for none (replace); got "
          + Arrays.toString(replaceSlotPerHead));
    }
    if (appends == kvHeads) {
      if (pl + 2 > partial.capacity()) { // keep the spare row for the current token
        partial.resize(Math.max(pl + 2, 2 * partial.capacity()));
      }
      for (int h = 0; h < kvHeads; h++) {
        partial.copyFrom(main, h, length - 1, pl);
      }
      partial.length = pl + 1;
      cache.adjustResident(1);
    } else {
      for (int h = 0; h < kvHeads; h++) {
        partial.copyFrom(main, h, length - 1, replaceSlotPerHead[h]);
      }
    }
    version++;
  }

  @Override
  public void clearPartial() {
    cache.checkOpen();
    if (partial != null) {
      int pl = partial.length;
      partial.close();
      partial = null;
      version++;
      cache.adjustResident(-pl);
    }
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

  // ---- validation ----

  private void checkHead(int kvHead) {
    if (kvHead < 0 || kvHead >= kvHeads) {
      throw new IllegalArgumentException("kvHead " + kvHead + " out of range [0, " + kvHeads + ")");
    }
  }

  private void checkPerHead(int[] perHead, String name) {
    if (perHead.length != kvHeads) {
      throw new IllegalArgumentException(name + " has " + perHead.length + " entries; layer " + layer + " has " + kvHeads + " KV heads");
    }
  }

  private void checkSelection(Selection selection) {
    requireNonNull(selection, "selection is null");
    if (selection.kvHeads() != kvHeads) {
      throw new IllegalArgumentException("selection has " + selection.kvHeads() + " KV heads; layer " + layer + " has " + kvHeads);
    }
    int length = main.length;
    int size = selection.size();
    for (int h = 0; h < kvHeads; h++) {
      if (size > 0 && (selection.slot(h, 0) < 0 || selection.slot(h, size - 1) >= length)) {
        throw new IllegalArgumentException("selection of KV head " + h + " names slots " + selection.slot(h, 0) + ".."
            + selection.slot(h, size - 1) + "; layer " + layer + " main store holds " + length + " entries");
      }
    }
  }
}
