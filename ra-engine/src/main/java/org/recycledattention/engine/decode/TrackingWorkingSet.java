package org.recycledattention.engine.decode;

import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/** A {@link WorkingSet} view that notices whether a policy changed it (for statistics). */
final class TrackingWorkingSet implements WorkingSet {
  private final WorkingSet delegate;
  private boolean changed;

  TrackingWorkingSet(WorkingSet delegate) {
    this.delegate = delegate;
  }

  /** Whether a mutating operation ran since the last call; resets the flag. */
  boolean takeChanged() {
    boolean c = changed;
    changed = false;
    return c;
  }

  @Override
  public int layer() {
    return delegate.layer();
  }

  @Override
  public int kvHeads() {
    return delegate.kvHeads();
  }

  @Override
  public int length() {
    return delegate.length();
  }

  @Override
  public int partialLength() {
    return delegate.partialLength();
  }

  @Override
  public int position(int kvHead, int slot) {
    return delegate.position(kvHead, slot);
  }

  @Override
  public int partialPosition(int kvHead, int slot) {
    return delegate.partialPosition(kvHead, slot);
  }

  @Override
  public void evict(int[] slotPerHead) {
    changed = true;
    delegate.evict(slotPerHead);
  }

  @Override
  public void evictSlot(int slot) {
    changed = true;
    delegate.evictSlot(slot);
  }

  @Override
  public void retain(Selection selection) {
    changed = true;
    delegate.retain(selection);
  }

  @Override
  public void gatherPartial(Selection selection) {
    changed = true;
    delegate.gatherPartial(selection);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    changed = true;
    delegate.appendToPartial(replaceSlotPerHead);
  }

  @Override
  public void clearPartial() {
    changed = true;
    delegate.clearPartial();
  }
}
