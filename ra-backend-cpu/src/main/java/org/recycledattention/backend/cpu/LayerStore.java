package org.recycledattention.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractWorkingSet;

/**
 * The stores of one layer: per KV head a main store ({@code C_f}, or what eviction kept of it) and
 * an optional partial cache ({@code C_p}), each a {@link Rows}. Also the layer's working-set view (its
 * checks and bookkeeping are {@link AbstractWorkingSet}'s; here only the data moves) and its reusable
 * {@link CpuScores}.
 *
 * <p>Capacity policy: the main store grows by doubling (at least {@value #MIN_CAPACITY} slots, at
 * most {@code maxTokens}) and shrinks to twice its length when it falls below a quarter of its
 * capacity, so evicted memory is really returned to the heap while one eviction per step never
 * reallocates. The partial cache is sized to its selection and freed when cleared.
 *
 * <p>Not thread-safe, like the cache.
 */
final class LayerStore extends AbstractWorkingSet {
  static final int MIN_CAPACITY = 16;
  private static final long PARALLEL_GATHER_ELEMENTS = 1 << 16;

  private final CpuKvCache cache;
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
    super(cache, layer);
    this.cache = cache;
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

  /** Appends {@code tokens} entries (checked by the cache: they fit in {@code maxTokens}). */
  void store(float[] k, float[] v, int[] positions, int tokens) {
    version++;
    int length = main[0].length;
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

  // ---- the working set's data movement (checked and counted by AbstractWorkingSet) ----

  @Override
  protected int mainLength() {
    return main[0].length;
  }

  @Override
  protected boolean hasPartialCache() {
    return partial != null;
  }

  @Override
  protected int partialSize() {
    return partial[0].length;
  }

  @Override
  protected int mainPosition(int kvHead, int slot) {
    return main[kvHead].positions[slot];
  }

  @Override
  protected int partialCachePosition(int kvHead, int slot) {
    return partial[kvHead].positions[slot];
  }

  @Override
  protected void swapRemove(int[] slotPerHead) {
    version++;
    int length = main[0].length;
    for (int h = 0; h < kvHeads; h++) {
      Rows r = main[h];
      if (slotPerHead[h] != length - 1) {
        r.move(length - 1, slotPerHead[h]);
      }
      r.length = length - 1;
    }
    shrinkIfSparse();
  }

  @Override
  protected void keep(Selection selection) {
    int size = selection.size();
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
    shrinkIfSparse();
  }

  @Override
  protected void gather(Selection selection) {
    int size = selection.size();
    boolean inPlace = scores != null && scores.isLast(selection);
    if (inPlace && scores.isPrecomputed(selection) && stagedGeneration == scores.generation() && stagedVersion == version
        && staging[0].length == size) {
      // the attention units gathered it already: swap it in
      Rows[] previous = partial;
      partial = staging;
      staging = previous;
      stagedGeneration = -1;
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
    ForkJoinPool pool = cache.pool();
    if (pool != null && kvHeads > 1 && (long) size * dim >= PARALLEL_GATHER_ELEMENTS) {
      List<PoolTask> tasks = new ArrayList<>();
      for (int h = 1; h < kvHeads; h += 2) {
        int head = h;
        tasks.add(PoolTask.submit(pool, () -> gatherHead(head, selection, size)));
      }
      for (int h = 0; h < kvHeads; h += 2) {
        gatherHead(h, selection, size);
      }
      for (PoolTask t : tasks) {
        t.finish();
      }
    } else {
      for (int h = 0; h < kvHeads; h++) {
        gatherHead(h, selection, size);
      }
    }
  }

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
  protected void appendNewestToPartial() {
    int length = main[0].length;
    int pl = partial[0].length;
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
  }

  @Override
  protected void replaceInPartial(int[] slotPerHead) {
    int length = main[0].length;
    for (int h = 0; h < kvHeads; h++) {
      partial[h].copy(main[h], length - 1, slotPerHead[h]);
    }
  }

  @Override
  protected void freePartial() {
    partial = null;
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
}
