package org.recycledattention.engine.decode;

import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.cache.support.ForwardingWorkingSet;

/** A {@link WorkingSet} view that notices whether a policy changed it (for statistics). */
final class TrackingWorkingSet extends ForwardingWorkingSet {
  private boolean changed;

  TrackingWorkingSet(WorkingSet delegate) {
    super(delegate);
  }

  /** Whether a mutating operation ran since the last call; resets the flag. */
  boolean takeChanged() {
    boolean c = changed;
    changed = false;
    return c;
  }

  @Override
  public void evict(int[] slotPerHead) {
    changed = true;
    super.evict(slotPerHead);
  }

  @Override
  public void retain(Selection selection) {
    changed = true;
    super.retain(selection);
  }

  @Override
  public void gatherPartial(Selection selection) {
    changed = true;
    super.gatherPartial(selection);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    changed = true;
    super.appendToPartial(replaceSlotPerHead);
  }

  @Override
  public void clearPartial() {
    changed = true;
    super.clearPartial();
  }
}
