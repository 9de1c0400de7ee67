package org.recycledattention.backend.cpu;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * The stores of one layer: per KV head a main store ({@code C_f}, or what eviction kept of it) and
 * an optional partial cache ({@code C_p}), each a {@link Rows}. Also the layer's {@link
 * WorkingSet} view and its reusable {@link CpuScores}.
 *
 * <p>Capacity policy: the main store grows by doubling (at least {@value #MIN_CAPACITY} slots, at
 * most {@code maxTokens}) and shrinks to twice its length when it falls below a quarter of its
 * capacity, so evicted memory is really returned to the heap while one eviction per step never
 * reallocates. The partial cache is sized to its selection and freed when cleared.
 *
 * <p>Not thread-safe, like the cache.
 */
final class LayerStore implements WorkingSet {
  static final int MIN_CAPACITY = 16;

  private final CpuKvCache cache;
  private final int layer;
  private final int kvHeads;
  private final int dim;
  private final int maxTokens;
  private final KvDtype dtype;
  final Rows[] main;
  /** {@code null} when the layer has no partial cache. */
  Rows[] partial;
  private CpuScores scores;
  /**
   * The next partial cache, gathered by the attention units of a full step from the selection they
   * made in place (see {@link CpuScores}): {@link #gatherPartial} of that selection swaps it in
   * instead of gathering again. Valid for the scores' generation {@link #stagedGeneration} and the
   * main store's {@link #version} {@link #stagedVersion}.
   */
  Rows[] staging;
  private long stagedGeneration = -1;
  private int stagedVersion;
  /** Whether the last in-place selection of this layer was gathered as its partial cache. */
  private boolean gatherInPlace;
  /** Bumped by every change to the main store. */
  private int version;

  LayerStore(CpuKvCache cache, int layer, int kvHeads, int dim, int maxTokens, KvDtype dtype) {
    this.cache = cache;
    this.layer = layer;
    this.kvHeads = kvHeads;
    this.dim = dim;
    this.maxTokens = maxTokens;
    this.dtype = dtype;
    this.main = new Rows[kvHeads];
    for (int h = 0; h < kvHeads; h++) {
      main[h] = newRows(0);
    }
  }

  private Rows newRows(int capacity) {
    return switch (dtype) {
      case F32 -> new F32Rows(dim, capacity);
      case F16 -> new HalfRows(dim, capacity, false);
      case BF16 -> new HalfRows(dim, capacity, true);
    };
  }

  CpuScores scores() {
    if (scores == null) {
      scores = new CpuScores(kvHeads, cache.pool());
    }
    return scores;
  }

  // ---- main store ----

  void append(float[] k, float[] v, int[] positions, int tokens) {
    version++;
    int length = main[0].length;
    if ((long) length + tokens > maxTokens) {
      throw new IllegalStateException("layer " + layer + " holds " + length + " entries; appending " + tokens
          + " would exceed the cache's maxTokens of " + maxTokens + "; allocate the cache with a larger maxTokens");
    }
    int need = length + tokens;
    if (need > main[0].capacity()) {
      int capacity = (int) Math.min(maxTokens, Math.max(need, Math.max(MIN_CAPACITY, 2L * main[0].capacity())));
      for (Rows r : main) {
        r.resize(capacity);
      }
    }
    int rowStride = kvHeads * dim;
    for (int h = 0; h < kvHeads; h++) {
      Rows r = main[h];
      for (int t = 0; t < tokens; t++) {
        int off = t * rowStride + h * dim;
        r.put(length + t, k, off, v, off, positions[t]);
      }
      r.length = need;
    }
    cache.adjustResident(tokens);
  }

  private void shrinkIfSparse() {
    int length = main[0].length;
    int capacity = main[0].capacity();
    if (capacity > MIN_CAPACITY && length < capacity / 4) {
      int target = Math.max(MIN_CAPACITY, 2 * length);
      for (Rows r : main) {
        r.resize(target);
      }
    }
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
    return main[0].length;
  }

  @Override
  public int partialLength() {
    cache.checkOpen();
    return partial == null ? 0 : partial[0].length;
  }

  boolean hasPartial() {
    return partial != null;
  }

  @Override
  public int position(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    Rows r = main[kvHead];
    if (slot < 0 || slot >= r.length) {
      throw new IllegalArgumentException("slot " + slot + " out of range: layer " + layer + " main store holds " + r.length + " entries");
    }
    return r.positions[slot];
  }

  @Override
  public int partialPosition(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    int pl = partial == null ? 0 : partial[0].length;
    if (slot < 0 || slot >= pl) {
      throw new IllegalArgumentException("partial slot " + slot + " out of range: layer " + layer + " partial cache holds " + pl + " entries");
    }
    return partial[kvHead].positions[slot];
  }

  @Override
  public void evict(int[] slotPerHead) {
    cache.checkOpen();
    requireNonNull(slotPerHead, "slotPerHead is null");
    checkPerHead(slotPerHead, "slotPerHead");
    int length = main[0].length;
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] < 0 || slotPerHead[h] >= length) {
        throw new IllegalArgumentException("cannot evict slot " + slotPerHead[h] + " of KV head " + h + ": layer " + layer
            + " main store holds " + length + " entries");
      }
    }
    clearPartial();
    version++;
    for (int h = 0; h < kvHeads; h++) {
      Rows r = main[h];
      if (slotPerHead[h] != length - 1) {
        r.move(length - 1, slotPerHead[h]);
      }
      r.length = length - 1;
    }
    cache.adjustResident(-1);
    shrinkIfSparse();
  }

  @Override
  public void retain(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    int length = main[0].length;
    int size = selection.size();
    clearPartial();
    version++;
    for (int h = 0; h < kvHeads; h++) {
      Rows r = main[h];
      // slots ascend, so slot(i) >= i: compacting front to back never overwrites a kept entry
      for (int i = 0; i < size; i++) {
        int s = selection.slot(h, i);
        if (s != i) {
          r.move(s, i);
        }
      }
      r.length = size;
    }
    cache.adjustResident(size - length);
    shrinkIfSparse();
  }

  @Override
  public void gatherPartial(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    int size = selection.size();
    int old = partial == null ? 0 : partial[0].length;
    boolean inPlace = scores != null && scores.isLast(selection);
    if (inPlace && scores.isPrecomputed(selection) && stagedGeneration == scores.generation() && stagedVersion == version
        && staging[0].length == size) {
      // the attention units gathered it already: swap it in
      Rows[] previous = partial;
      partial = staging;
      staging = previous;
      stagedGeneration = -1;
      cache.adjustResident(size - old);
      return;
    }
    gatherInPlace = inPlace;
    if (partial == null || partial[0].capacity() < size || partial[0].capacity() / 4 > size) {
      Rows[] fresh = new Rows[kvHeads];
      for (int h = 0; h < kvHeads; h++) {
        fresh[h] = newRows(size);
      }
      partial = fresh;
    }
    // KV heads are independent copies: with a worker pool, the odd heads go to it (a full step of
    // Recycled Attention gathers K entries per head and layer, a cost every recycled step amortises)
    java.util.concurrent.ForkJoinPool pool = cache.pool();
    if (pool != null && kvHeads > 1 && (long) size * dim >= PARALLEL_GATHER_ELEMENTS) {
      java.util.List<java.util.concurrent.ForkJoinTask<?>> tasks = new java.util.ArrayList<>();
      for (int h = 1; h < kvHeads; h += 2) {
        int head = h;
        tasks.add(pool.submit(() -> gatherHead(head, selection, size)));
      }
      for (int h = 0; h < kvHeads; h += 2) {
        gatherHead(h, selection, size);
      }
      for (java.util.concurrent.ForkJoinTask<?> t : tasks) {
        t.join();
      }
    } else {
      for (int h = 0; h < kvHeads; h++) {
        gatherHead(h, selection, size);
      }
    }
    cache.adjustResident(size - old);
  }

  private static final long PARALLEL_GATHER_ELEMENTS = 1 << 16;

  /**
   * Before a full step's attention units run: whether they should gather the partial cache from
   * their in-place selection (the layer's last one was gathered), with staging rows ready for it.
   */
  boolean prepareStaging(CpuScores s) {
    if (!gatherInPlace || !s.precomputing()) {
      return false;
    }
    int size = s.speculatedSize();
    if (staging == null || staging[0].capacity() < size || staging[0].capacity() / 4 > size) {
      Rows[] fresh = new Rows[kvHeads];
      for (int h = 0; h < kvHeads; h++) {
        fresh[h] = newRows(size);
      }
      staging = fresh;
    }
    stagedGeneration = -1;
    return true;
  }

  /** After the units gathered every head into {@link #staging}. */
  void staged(CpuScores s) {
    stagedGeneration = s.generation();
    stagedVersion = version;
  }

  private void gatherHead(int h, Selection selection, int size) {
    Rows p = partial[h];
    p.gather(main[h], selection.slots(h), size);
    p.length = size;
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    cache.checkOpen();
    requireNonNull(replaceSlotPerHead, "replaceSlotPerHead is null");
    if (partial == null) {
      throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial first");
    }
    checkPerHead(replaceSlotPerHead, "replaceSlotPerHead");
    int length = main[0].length;
    if (length == 0) {
      throw new IllegalStateException("layer " + layer + " main store is empty; append the current token first");
    }
    int pl = partial[0].length;
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
          + java.util.Arrays.toString(replaceSlotPerHead));
    }
    if (appends == kvHeads) {
      if (pl == partial[0].capacity()) {
        int capacity = Math.max(4, 2 * pl);
        for (Rows p : partial) {
          p.resize(capacity);
        }
      }
      for (int h = 0; h < kvHeads; h++) {
        partial[h].copy(main[h], length - 1, pl);
        partial[h].length = pl + 1;
      }
      cache.adjustResident(1);
    } else {
      for (int h = 0; h < kvHeads; h++) {
        partial[h].copy(main[h], length - 1, replaceSlotPerHead[h]);
      }
    }
  }

  @Override
  public void clearPartial() {
    cache.checkOpen();
    if (partial != null) {
      int pl = partial[0].length;
      partial = null;
      cache.adjustResident(-pl);
    }
  }

  /** Drops every store (close). */
  void free() {
    for (int h = 0; h < kvHeads; h++) {
      main[h] = null;
    }
    partial = null;
    staging = null;
    scores = null;
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
    int length = main[0].length;
    int size = selection.size();
    for (int h = 0; h < kvHeads; h++) {
      if (size > 0 && (selection.slot(h, 0) < 0 || selection.slot(h, size - 1) >= length)) {
        throw new IllegalArgumentException("selection of KV head " + h + " names slots " + selection.slot(h, 0) + ".."
            + selection.slot(h, size - 1) + "; layer " + layer + " main store holds " + length + " entries");
      }
    }
  }
}
