package org.recycledattention.tests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;

/**
 * A {@link WorkingSet} that keeps only positions, for unit tests of a policy's rules on hand-made
 * scores (with {@link ArrayScores}): no keys, no values, no backend. Follows the contract's slot
 * rules exactly (appends at the end, swap-remove on evict, retain and gather in selection order) and
 * records each operation in {@link #operations()}.
 *
 * <p>Not thread-safe.
 */
public final class SimulatedWorkingSet implements WorkingSet {
  private final int layer;
  private final List<List<Integer>> main = new ArrayList<>();
  private final List<List<Integer>> partial = new ArrayList<>();
  private final List<String> operations = new ArrayList<>();

  public SimulatedWorkingSet(int layer, int kvHeads) {
    if (kvHeads < 1) {
      throw new IllegalArgumentException("kvHeads must be >= 1, got " + kvHeads);
    }
    this.layer = layer;
    for (int h = 0; h < kvHeads; h++) {
      main.add(new ArrayList<>());
      partial.add(new ArrayList<>());
    }
  }

  /** Appends one token at {@code position} to every KV head's main store (what the engine's append does). */
  public SimulatedWorkingSet append(int position) {
    for (List<Integer> m : main) {
      m.add(position);
    }
    return this;
  }

  /** Appends positions {@code from .. to-1}. */
  public SimulatedWorkingSet appendRange(int from, int to) {
    for (int p = from; p < to; p++) {
      append(p);
    }
    return this;
  }

  /** The positions of one head's main store, in slot order. */
  public List<Integer> positions(int kvHead) {
    return List.copyOf(main.get(kvHead));
  }

  /** The positions of one head's partial cache, in slot order. */
  public List<Integer> partialPositions(int kvHead) {
    return List.copyOf(partial.get(kvHead));
  }

  /** What was done, one line per operation ({@code evict [3, 1]}). */
  public List<String> operations() {
    return List.copyOf(operations);
  }

  @Override
  public int layer() {
    return layer;
  }

  @Override
  public int kvHeads() {
    return main.size();
  }

  @Override
  public int length() {
    return main.get(0).size();
  }

  @Override
  public int partialLength() {
    return partial.get(0).size();
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
    if (slotPerHead.length != kvHeads()) {
      throw new IllegalArgumentException("evict needs one slot per KV head (" + kvHeads() + "), got " + slotPerHead.length);
    }
    operations.add("evict " + Arrays.toString(slotPerHead));
    for (int h = 0; h < kvHeads(); h++) {
      List<Integer> m = main.get(h);
      if (slotPerHead[h] < 0 || slotPerHead[h] >= m.size()) {
        throw new IndexOutOfBoundsException("slot " + slotPerHead[h] + " of KV head " + h + " is outside [0, " + m.size() + ")");
      }
      int last = m.removeLast();
      if (slotPerHead[h] < m.size()) {
        m.set(slotPerHead[h], last);
      }
    }
    clear();
  }

  @Override
  public void retain(Selection selection) {
    operations.add("retain " + RecordingWorkingSet.describe(selection));
    for (int h = 0; h < kvHeads(); h++) {
      List<Integer> m = main.get(h);
      List<Integer> kept = new ArrayList<>();
      for (int i = 0; i < selection.size(); i++) {
        kept.add(m.get(selection.slot(h, i)));
      }
      m.clear();
      m.addAll(kept);
    }
    clear();
  }

  @Override
  public void gatherPartial(Selection selection) {
    operations.add("gatherPartial " + RecordingWorkingSet.describe(selection));
    for (int h = 0; h < kvHeads(); h++) {
      List<Integer> p = partial.get(h);
      p.clear();
      for (int i = 0; i < selection.size(); i++) {
        p.add(main.get(h).get(selection.slot(h, i)));
      }
    }
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    operations.add("appendToPartial " + Arrays.toString(replaceSlotPerHead));
    for (int h = 0; h < kvHeads(); h++) {
      int newest = main.get(h).getLast();
      if (replaceSlotPerHead[h] < 0) {
        partial.get(h).add(newest);
      } else {
        partial.get(h).set(replaceSlotPerHead[h], newest);
      }
    }
  }

  @Override
  public void clearPartial() {
    operations.add("clearPartial");
    clear();
  }

  private void clear() {
    for (List<Integer> p : partial) {
      p.clear();
    }
  }
}
