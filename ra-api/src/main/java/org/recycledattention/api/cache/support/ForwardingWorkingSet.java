package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * A {@link WorkingSet} that forwards every call to another one: extend it and override what you watch
 * (a decoder counting working-set changes, a test recording what a policy does). {@link #evictSlot}
 * keeps the interface's default, so it goes through this object's {@link #evict}.
 */
public abstract class ForwardingWorkingSet implements WorkingSet {
  private final WorkingSet delegate;

  protected ForwardingWorkingSet(WorkingSet delegate) {
    this.delegate = requireNonNull(delegate, "delegate is null");
  }

  /** The working set calls are forwarded to. */
  protected final WorkingSet delegate() {
    return delegate;
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
    delegate.evict(slotPerHead);
  }

  @Override
  public void retain(Selection selection) {
    delegate.retain(selection);
  }

  @Override
  public void gatherPartial(Selection selection) {
    delegate.gatherPartial(selection);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    delegate.appendToPartial(replaceSlotPerHead);
  }

  @Override
  public void clearPartial() {
    delegate.clearPartial();
  }
}
