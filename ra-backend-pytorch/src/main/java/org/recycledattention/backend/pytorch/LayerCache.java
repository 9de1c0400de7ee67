package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.pytorch.engine.PtNDArray;
import java.util.Objects;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * One layer of a {@link PytorchKvCache}: its main store, its partial cache and the scores of its
 * last attend, and the {@link WorkingSet} view policies act through.
 *
 * <p>Every change (append, attend, working-set operation) first invalidates the layer's scores, as
 * the {@code Scores} contract says. Evict and retain drop the partial cache; so does {@link
 * #clearPartial()}, which frees it.
 *
 * <p>Not thread-safe, like the cache.
 */
final class LayerCache implements WorkingSet {
  private final PytorchKvCache cache;
  private final int layer;
  private final int kvHeads;
  final DeviceStore main;
  final DeviceStore partial;
  private boolean hasPartial;
  private DeviceScores scores;

  LayerCache(PytorchKvCache cache, int layer, DeviceStore main, DeviceStore partial) {
    this.cache = requireNonNull(cache, "cache is null");
    this.layer = layer;
    this.kvHeads = cache.spec().kvHeads();
    this.main = requireNonNull(main, "main is null");
    this.partial = requireNonNull(partial, "partial is null");
  }

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
    return main.length();
  }

  @Override
  public int partialLength() {
    cache.checkOpen();
    return hasPartial ? partial.length() : 0;
  }

  boolean hasPartial() {
    return hasPartial;
  }

  @Override
  public int position(int kvHead, int slot) {
    cache.checkOpen();
    Objects.checkIndex(kvHead, kvHeads);
    Objects.checkIndex(slot, main.length());
    return main.position(kvHead, slot);
  }

  @Override
  public int partialPosition(int kvHead, int slot) {
    cache.checkOpen();
    Objects.checkIndex(kvHead, kvHeads);
    Objects.checkIndex(slot, partialLength());
    return partial.position(kvHead, slot);
  }

  @Override
  public void evict(int[] slotPerHead) {
    cache.checkOpen();
    requireNonNull(slotPerHead, "slotPerHead is null");
    if (slotPerHead.length != kvHeads) {
      throw new IllegalArgumentException("evict needs one slot per KV head (" + kvHeads + "), got " + slotPerHead.length);
    }
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] < 0 || slotPerHead[h] >= main.length()) {
        throw new IndexOutOfBoundsException("layer " + layer + ", KV head " + h + ": slot " + slotPerHead[h]
            + " is outside the main store [0, " + main.length() + ")");
      }
    }
    changing();
    dropPartial();
    main.swapRemove(slotPerHead);
    cache.residentChanged(-1);
  }

  @Override
  public void retain(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    changing();
    dropPartial();
    int before = main.length();
    main.gather(main, selection);
    cache.residentChanged(main.length() - before);
  }

  @Override
  public void gatherPartial(Selection selection) {
    cache.checkOpen();
    checkSelection(selection);
    changing();
    int before = partialLength();
    partial.gather(main, selection);
    hasPartial = true;
    cache.residentChanged(partial.length() - before);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    cache.checkOpen();
    requireNonNull(replaceSlotPerHead, "replaceSlotPerHead is null");
    if (!hasPartial) {
      throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial before appendToPartial");
    }
    if (main.length() == 0) {
      throw new IllegalStateException("layer " + layer + ": the main store is empty, there is no newest entry to copy");
    }
    if (replaceSlotPerHead.length != kvHeads) {
      throw new IllegalArgumentException("appendToPartial needs one slot per KV head (" + kvHeads + "), got " + replaceSlotPerHead.length);
    }
    int appends = 0;
    for (int h = 0; h < kvHeads; h++) {
      int s = replaceSlotPerHead[h];
      if (s == -1) {
        appends++;
      } else if (s < 0 || s >= partial.length()) {
        throw new IndexOutOfBoundsException("layer " + layer + ", KV head " + h + ": partial slot " + s
            + " is outside the partial cache [0, " + partial.length() + ") and is not -1");
      }
    }
    if (appends != 0 && appends != kvHeads) {
      throw new IllegalArgumentException("appendToPartial: either every KV head appends (-1) or every head replaces a slot; got "
          + java.util.Arrays.toString(replaceSlotPerHead));
    }
    changing();
    if (appends == kvHeads) {
      partial.appendNewestOf(main);
      cache.residentChanged(1);
    } else {
      for (int h = 0; h < kvHeads; h++) {
        partial.replaceWithNewestOf(main, h, replaceSlotPerHead[h]);
      }
    }
  }

  @Override
  public void clearPartial() {
    cache.checkOpen();
    changing();
    dropPartial();
  }

  /** Called before every change of this layer: the last scores become stale. */
  void changing() {
    if (scores != null) {
      scores.invalidate();
      scores = null;
    }
  }

  /** Takes ownership of {@code reduced} ({@code [kvHeads, length]} float32) as this layer's scores. */
  DeviceScores keepScores(PtNDArray reduced, int length) {
    changing();
    scores = new DeviceScores(cache, layer, reduced, kvHeads, length);
    return scores;
  }

  void close() {
    changing();
    main.clear();
    partial.clear();
    hasPartial = false;
  }

  private void dropPartial() {
    if (hasPartial) {
      cache.residentChanged(-partial.length());
      partial.clear();
      hasPartial = false;
    }
  }

  private void checkSelection(Selection selection) {
    requireNonNull(selection, "selection is null");
    if (selection.kvHeads() != kvHeads) {
      throw new IllegalArgumentException("the selection has " + selection.kvHeads() + " KV heads; layer " + layer + " has " + kvHeads);
    }
    int m = selection.size();
    if (m == 0) {
      return;
    }
    for (int h = 0; h < kvHeads; h++) {
      // slots are strictly ascending (Selection checks), so the ends bound them all
      if (selection.slot(h, 0) < 0 || selection.slot(h, m - 1) >= main.length()) {
        throw new IndexOutOfBoundsException("layer " + layer + ", KV head " + h + ": selected slots must lie in the main store [0, "
            + main.length() + "), got " + selection.slot(h, 0) + " .. " + selection.slot(h, m - 1));
      }
    }
  }
}
