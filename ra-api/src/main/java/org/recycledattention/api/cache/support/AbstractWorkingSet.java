package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * One layer of an {@link AbstractKvCache}: the {@link WorkingSet} operations with their checks (open cache,
 * declared capability, slots and selections in range, one value per KV head) and the cache's resident
 * bookkeeping done once, here. A backend implements the data movement: swap-remove, compaction, gather and
 * the copies into the partial cache.
 *
 * <p>Slot rules (the contract): eviction moves the last entry of each head into the freed slot; retain
 * keeps the selected entries in selection order; evict and retain drop the partial cache first.
 *
 * <p><b>NOTE:</b> not thread-safe, like the cache.
 */
public abstract class AbstractWorkingSet implements WorkingSet {
  private final AbstractKvCache<?> cache;
  private final int layer;
  private final int kvHeads;

  protected AbstractWorkingSet(AbstractKvCache<?> cache, int layer) {
    this.cache = requireNonNull(cache, "cache is null");
    this.layer = layer;
    this.kvHeads = cache.spec().kvHeads();
  }

  /** Entries per KV head in the main store. */
  protected abstract int mainLength();

  /** Whether the layer has a partial cache (it may be empty). */
  protected abstract boolean hasPartialCache();

  /** Entries per KV head in the partial cache; called only when there is one. */
  protected abstract int partialSize();

  /** The position of a main-store entry; arguments checked. */
  protected abstract int mainPosition(int kvHead, int slot);

  /** The position of a partial-cache entry; arguments checked. */
  protected abstract int partialCachePosition(int kvHead, int slot);

  /** Moves the last main-store entry of head {@code h} into slot {@code slotPerHead[h]} and drops the last one, every head. */
  protected abstract void swapRemove(int[] slotPerHead);

  /** Keeps only the selected main-store entries, in selection order. */
  protected abstract void keep(Selection selection);

  /** Rebuilds the partial cache as a contiguous copy of the selected main-store entries. */
  protected abstract void gather(Selection selection);

  /** Appends the newest main-store entry of every head to the partial cache. */
  protected abstract void appendNewestToPartial();

  /** Copies the newest main-store entry of head {@code h} over partial slot {@code slotPerHead[h]}, every head. */
  protected abstract void replaceInPartial(int[] slotPerHead);

  /** Frees the partial cache. */
  protected abstract void freePartial();

  /** Called before every change of the layer (the last scores become stale); does nothing by default. */
  protected void changing() {}

  @Override
  public final int layer() {
    return layer;
  }

  @Override
  public final int kvHeads() {
    return kvHeads;
  }

  @Override
  public final int length() {
    cache.checkOpen();
    return mainLength();
  }

  @Override
  public final int partialLength() {
    cache.checkOpen();
    return hasPartialCache() ? partialSize() : 0;
  }

  @Override
  public final int position(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    checkSlot(slot, mainLength(), "slot", "main store");
    return mainPosition(kvHead, slot);
  }

  @Override
  public final int partialPosition(int kvHead, int slot) {
    cache.checkOpen();
    checkHead(kvHead);
    checkSlot(slot, partialLength(), "partial slot", "partial cache");
    return partialCachePosition(kvHead, slot);
  }

  @Override
  public final void evict(int[] slotPerHead) {
    cache.checkOpen();
    cache.require(BackendCapability.EVICTION, "evict");
    checkPerHead(slotPerHead, "slotPerHead");
    int length = mainLength();
    for (int h = 0; h < kvHeads; h++) {
      if (slotPerHead[h] < 0 || slotPerHead[h] >= length) {
        throw new IllegalArgumentException("cannot evict slot " + slotPerHead[h] + " of KV head " + h + ": layer " + layer
            + " main store holds " + length + " entries");
      }
    }
    changing();
    dropPartial();
    swapRemove(slotPerHead);
    cache.residentChanged(-1);
  }

  @Override
  public final void retain(Selection selection) {
    cache.checkOpen();
    cache.require(BackendCapability.EVICTION, "retain");
    checkSelection(selection);
    int length = mainLength();
    changing();
    dropPartial();
    keep(selection);
    cache.residentChanged(selection.size() - length);
  }

  @Override
  public final void gatherPartial(Selection selection) {
    cache.checkOpen();
    cache.require(BackendCapability.PARTIAL_CACHE, "gatherPartial");
    checkSelection(selection);
    int old = hasPartialCache() ? partialSize() : 0;
    changing();
    gather(selection);
    cache.residentChanged(selection.size() - old);
  }

  @Override
  public final void appendToPartial(int[] replaceSlotPerHead) {
    cache.checkOpen();
    cache.require(BackendCapability.PARTIAL_CACHE, "appendToPartial");
    checkPerHead(replaceSlotPerHead, "replaceSlotPerHead");
    if (!hasPartialCache()) {
      throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial first");
    }
    if (mainLength() == 0) {
      throw new IllegalStateException("layer " + layer + " main store is empty; append the current token first");
    }
    int size = partialSize();
    int appends = 0;
    for (int h = 0; h < kvHeads; h++) {
      int s = replaceSlotPerHead[h];
      if (s == -1) {
        appends++;
      } else if (s < 0 || s >= size) {
        throw new IllegalArgumentException("partial slot " + s + " of KV head " + h + " out of range: layer " + layer
            + " partial cache holds " + size + " entries (use -1 to append)");
      }
    }
    if (appends != 0 && appends != kvHeads) {
      throw new IllegalArgumentException("replaceSlotPerHead must be -1 for every KV head (append) or for none (replace); got "
          + Arrays.toString(replaceSlotPerHead));
    }
    changing();
    if (appends == kvHeads) {
      appendNewestToPartial();
      cache.residentChanged(1);
    } else {
      replaceInPartial(replaceSlotPerHead);
    }
  }

  @Override
  public final void clearPartial() {
    cache.checkOpen();
    changing();
    dropPartial();
  }

  private void dropPartial() {
    if (hasPartialCache()) {
      cache.residentChanged(-partialSize());
      freePartial();
    }
  }

  private void checkHead(int kvHead) {
    if (kvHead < 0 || kvHead >= kvHeads) {
      throw new IllegalArgumentException("kvHead " + kvHead + " out of range [0, " + kvHeads + ")");
    }
  }

  private void checkSlot(int slot, int length, String what, String store) {
    if (slot < 0 || slot >= length) {
      throw new IllegalArgumentException(what + " " + slot + " out of range: layer " + layer + " " + store + " holds " + length + " entries");
    }
  }

  private void checkPerHead(int[] perHead, String name) {
    requireNonNull(perHead, () -> name + " is null");
    if (perHead.length != kvHeads) {
      throw new IllegalArgumentException(name + " has " + perHead.length + " entries; layer " + layer + " has " + kvHeads + " KV heads");
    }
  }

  private void checkSelection(Selection selection) {
    requireNonNull(selection, "selection is null");
    if (selection.kvHeads() != kvHeads) {
      throw new IllegalArgumentException("selection has " + selection.kvHeads() + " KV heads; layer " + layer + " has " + kvHeads);
    }
    int length = mainLength();
    int size = selection.size();
    for (int h = 0; h < kvHeads; h++) {
      // slots are strictly ascending (Selection checks), so the ends bound them all
      if (size > 0 && (selection.slot(h, 0) < 0 || selection.slot(h, size - 1) >= length)) {
        throw new IllegalArgumentException("selection of KV head " + h + " names slots " + selection.slot(h, 0) + ".."
            + selection.slot(h, size - 1) + "; layer " + layer + " main store holds " + length + " entries");
      }
    }
  }
}
