package org.recycledattention.policy.support;

import org.recycledattention.api.cache.Selection;

/**
 * Which slot a store of fixed capacity K gives up next, when every new entry takes the slot of
 * the entry it evicts, per KV head. Shared by SnapKV (the main store after its one selection) and
 * Recycled Attention (the partial cache between full steps).
 *
 * <p>The rule: entries ranked by a selection go first, lowest score first, ties to the lower slot
 * (the older entry, since selections keep position order); entries added since (protected, score
 * +inf) go after them, oldest first. Because each newcomer is newer than every entry still
 * waiting, the sequence of freed slots is fixed from the selection on: the m ranked slots by
 * ascending score, then slots {@code m .. K-1} (filled by growth, in order), then the same K slots
 * again, for ever. Ranking is a heapify, O(m); each step pops one key, O(log m), or reads a popped
 * one back; no allocation after the first ranking at a size.
 *
 * <p>Not thread-safe.
 */
public final class ReplacementCycle {
  private final int capacity;
  /** [kvHead]: min-heap of (score, slot) keys; popped keys collect at the end (heapsort order). */
  private final long[][] keys;
  private int ranked;
  private int popped;
  private int cursor;

  /**
   * @param kvHeads heads that each follow their own ranking
   * @param capacity K, the store's size once full
   */
  public ReplacementCycle(int kvHeads, int capacity) {
    if (kvHeads < 1 || capacity < 1) {
      throw new IllegalArgumentException("kvHeads and capacity must be >= 1, got " + kvHeads + " and " + capacity);
    }
    this.capacity = capacity;
    this.keys = new long[kvHeads][0];
  }

  /**
   * Starts over from a selection: its entries now occupy slots {@code 0 .. size-1} in selection
   * order, ranked by their scores; slots added later are protected.
   */
  public void rank(Selection selection) {
    int m = selection.size();
    if (m > capacity) {
      throw new IllegalArgumentException("selection of " + m + " entries exceeds the capacity " + capacity);
    }
    for (int h = 0; h < keys.length; h++) {
      long[] k = Arrays2.ensure(keys[h], m);
      for (int i = 0; i < m; i++) {
        k[i] = RankKeys.key(selection.score(h, i), i);
      }
      MinHeap.heapify(k, m);
      keys[h] = k;
    }
    ranked = m;
    popped = 0;
    cursor = 0;
  }

  /** Entries ranked by the last selection. */
  public int ranked() {
    return ranked;
  }

  /**
   * Writes per head the slot to give up now (the store holds K entries plus the newcomer that will
   * take that slot) into {@code slotPerHead}, and moves on.
   */
  public void next(int[] slotPerHead) {
    int m = ranked;
    int j = cursor;
    boolean pop = j < m && popped == j;
    for (int h = 0; h < keys.length; h++) {
      long[] k = keys[h];
      if (pop) {
        MinHeap.popToEnd(k, m - j);
      }
      slotPerHead[h] = j < m ? RankKeys.tieBreak(k[m - 1 - j]) : j;
    }
    if (pop) {
      popped++;
    }
    cursor = j + 1 == capacity ? 0 : j + 1;
  }
}
