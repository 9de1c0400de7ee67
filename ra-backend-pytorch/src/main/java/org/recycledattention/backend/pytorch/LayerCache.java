package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.pytorch.engine.PtNDArray;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractWorkingSet;

/**
 * One layer of a {@link PytorchKvCache}: its main store, its partial cache and the scores of its
 * last attend, and the working-set view policies act through (checked and counted by {@link
 * AbstractWorkingSet}; here only the data moves).
 *
 * <p>Every change (append, attend, working-set operation) first invalidates the layer's scores, as
 * the {@code Scores} contract says. Evict and retain drop the partial cache; so does {@link
 * #clearPartial()}, which frees it.
 *
 * <p>Not thread-safe, like the cache.
 */
final class LayerCache extends AbstractWorkingSet {
  private final PytorchKvCache cache;
  private final int kvHeads;
  final DeviceStore main;
  final DeviceStore partial;
  private boolean hasPartial;
  private DeviceScores scores;

  LayerCache(PytorchKvCache cache, int layer, DeviceStore main, DeviceStore partial) {
    super(cache, layer);
    this.cache = cache;
    this.kvHeads = cache.spec().kvHeads();
    this.main = requireNonNull(main, "main is null");
    this.partial = requireNonNull(partial, "partial is null");
  }

  @Override
  protected int mainLength() {
    return main.length();
  }

  @Override
  protected boolean hasPartialCache() {
    return hasPartial;
  }

  @Override
  protected int partialSize() {
    return partial.length();
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
    main.swapRemove(slotPerHead);
  }

  @Override
  protected void keep(Selection selection) {
    main.gather(main, selection);
  }

  @Override
  protected void gather(Selection selection) {
    partial.gather(main, selection);
    hasPartial = true;
  }

  @Override
  protected void appendNewestToPartial() {
    partial.appendNewestOf(main);
  }

  @Override
  protected void replaceInPartial(int[] slotPerHead) {
    for (int h = 0; h < kvHeads; h++) {
      partial.replaceWithNewestOf(main, h, slotPerHead[h]);
    }
  }

  @Override
  protected void freePartial() {
    partial.clear();
    hasPartial = false;
  }

  /** Called before every change of this layer: the last scores become stale. */
  @Override
  protected void changing() {
    if (scores != null) {
      scores.invalidate();
      scores = null;
    }
  }

  /** Takes ownership of {@code reduced} ({@code [kvHeads, length]} float32) as this layer's scores. */
  DeviceScores keepScores(PtNDArray reduced, int length) {
    changing();
    scores = new DeviceScores(cache, layer(), reduced, kvHeads, length);
    return scores;
  }

  void close() {
    changing();
    main.clear();
    partial.clear();
    hasPartial = false;
  }
}
