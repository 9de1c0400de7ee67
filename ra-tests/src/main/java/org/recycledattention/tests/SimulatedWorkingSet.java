package org.recycledattention.tests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * A {@link WorkingSet} that keeps only positions, for unit tests of a policy's rules on hand-made scores
 * ({@link SimulatedDecoder}, {@link ArrayScores}): no keys, no values, no backend. Follows the contract's
 * slot rules exactly (appends at the end, swap-remove on evict, retain and gather in selection order) and
 * records every call in {@link #calls()}.
 *
 * <p>Not thread-safe.
 */
public final class SimulatedWorkingSet implements WorkingSet {
  /** One recorded working-set operation. */
  public sealed interface Call permits Evict, Retain, Gather, AppendToPartial, ClearPartial {}

  /** {@link WorkingSet#evict}: the slot per head. */
  public record Evict(List<Integer> slotPerHead) implements Call {}

  /** {@link WorkingSet#retain}: the selected slots of head 0 and the selection size. */
  public record Retain(Selection selection) implements Call {}

  /** {@link WorkingSet#gatherPartial}. */
  public record Gather(Selection selection) implements Call {}

  /** {@link WorkingSet#appendToPartial}: the replaced slot per head, -1 for an append. */
  public record AppendToPartial(List<Integer> replaceSlotPerHead) implements Call {}

  /** {@link WorkingSet#clearPartial}. */
  public record ClearPartial() implements Call {}

  private final int layer;
  private final int kvHeads;
  private final List<List<Integer>> main = new ArrayList<>();
  private final List<List<Integer>> partial = new ArrayList<>();
  private boolean hasPartial;
  private final List<Call> calls = new ArrayList<>();

  public SimulatedWorkingSet(int layer, int kvHeads) {
    this.layer = layer;
    this.kvHeads = kvHeads;
    for (int h = 0; h < kvHeads; h++) {
      main.add(new ArrayList<>());
      partial.add(new ArrayList<>());
    }
  }

  /** What the backend's {@code append} does: the token enters every head's main store at the end. */
  public SimulatedWorkingSet append(int position) {
    for (List<Integer> m : main) {
      m.add(position);
    }
    return this;
  }

  /** {@link #append} of positions {@code from .. to - 1}. */
  public SimulatedWorkingSet appendRange(int from, int to) {
    for (int p = from; p < to; p++) {
      append(p);
    }
    return this;
  }

  /** Every recorded call, oldest first. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Forgets the calls recorded so far. */
  public void clearCalls() {
    calls.clear();
  }

  /** Positions of one head's main store, in slot order. */
  public List<Integer> positions(int kvHead) {
    return List.copyOf(main.get(kvHead));
  }

  /** Positions of one head's main store, sorted. */
  public TreeSet<Integer> positionSet(int kvHead) {
    return new TreeSet<>(main.get(kvHead));
  }

  /** Positions of one head's partial cache, in slot order. */
  public List<Integer> partialPositions(int kvHead) {
    return List.copyOf(partial.get(kvHead));
  }

  /** Positions of one head's partial cache, sorted. */
  public TreeSet<Integer> partialPositionSet(int kvHead) {
    return new TreeSet<>(partial.get(kvHead));
  }

  /** Whether there is a partial cache (it may be empty). */
  public boolean hasPartial() {
    return hasPartial;
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
    return main.get(0).size();
  }

  @Override
  public int partialLength() {
    return hasPartial ? partial.get(0).size() : 0;
  }

  @Override
  public int position(int kvHead, int slot) {
    return main.get(kvHead).get(slot);
  }

  @Override
  public int partialPosition(int kvHead, int slot) {
    return partial.get(kvHead).get(slot);
  }

  @Override
  public void evict(int[] slotPerHead) {
    if (slotPerHead.length != kvHeads) {
      throw new IllegalArgumentException("evict needs one slot per KV head, got " + slotPerHead.length);
    }
    calls.add(new Evict(IntStream.of(slotPerHead).boxed().toList()));
    for (int h = 0; h < kvHeads; h++) {
      List<Integer> m = main.get(h);
      int slot = slotPerHead[h];
      if (slot < 0 || slot >= m.size()) {
        throw new IndexOutOfBoundsException("evict slot " + slot + " of head " + h + " with " + m.size() + " entries");
      }
      int last = m.remove(m.size() - 1);
      if (slot < m.size()) {
        m.set(slot, last); // swap-remove
      }
    }
    dropPartial();
  }

  @Override
  public void retain(Selection selection) {
    checkHeads(selection);
    calls.add(new Retain(selection));
    for (int h = 0; h < kvHeads; h++) {
      List<Integer> m = main.get(h);
      List<Integer> kept = new ArrayList<>();
      for (int slot : selection.slots(h)) {
        kept.add(m.get(slot));
      }
      main.set(h, kept);
    }
    dropPartial();
  }

  @Override
  public void gatherPartial(Selection selection) {
    checkHeads(selection);
    calls.add(new Gather(selection));
    for (int h = 0; h < kvHeads; h++) {
      List<Integer> m = main.get(h);
      List<Integer> p = new ArrayList<>();
      for (int slot : selection.slots(h)) {
        p.add(m.get(slot));
      }
      partial.set(h, p);
    }
    hasPartial = true;
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    if (!hasPartial) {
      throw new IllegalStateException("appendToPartial without a partial cache");
    }
    if (replaceSlotPerHead.length != kvHeads) {
      throw new IllegalArgumentException("appendToPartial needs one slot per KV head, got " + Arrays.toString(replaceSlotPerHead));
    }
    boolean append = replaceSlotPerHead[0] == -1;
    calls.add(new AppendToPartial(IntStream.of(replaceSlotPerHead).boxed().toList()));
    for (int h = 0; h < kvHeads; h++) {
      if ((replaceSlotPerHead[h] == -1) != append) {
        throw new IllegalArgumentException("appendToPartial: all heads must be -1 or none: " + Arrays.toString(replaceSlotPerHead));
      }
      List<Integer> m = main.get(h);
      int newest = m.get(m.size() - 1);
      if (append) {
        partial.get(h).add(newest);
      } else {
        partial.get(h).set(replaceSlotPerHead[h], newest);
      }
    }
  }

  @Override
  public void clearPartial() {
    calls.add(new ClearPartial());
    dropPartial();
  }

  private void dropPartial() {
    hasPartial = false;
    for (List<Integer> p : partial) {
      p.clear();
    }
  }

  private void checkHeads(Selection selection) {
    if (selection.kvHeads() != kvHeads) {
      throw new IllegalArgumentException("selection has " + selection.kvHeads() + " heads, the working set " + kvHeads);
    }
  }
}
