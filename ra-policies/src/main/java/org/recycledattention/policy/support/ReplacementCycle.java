package org.recycledattention.policy.support;

import java.util.Arrays;
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
 * again, for ever.
 *
 * <p>The ranked order is produced lazily, because a policy usually needs only its first few
 * entries before it ranks again (Recycled Attention: stride - 1 of them): the first {@value
 * #FIRST_BATCH} by one linear scan that keeps the smallest keys, the next {@value #SECOND_BATCH}
 * by another, and the rest, if ever needed, by one sort. Ranking is O(m) and allocation-free after
 * the first ranking at a size; so is each scan. (A heap was O(m) too, but its sift-downs
 * mispredicted a branch per level: Recycled Attention's per-step host work at 32K context was
 * mostly this.)
 *
 * <p>Not thread-safe.
 */
public final class ReplacementCycle {
  static final int FIRST_BATCH = 16;
  static final int SECOND_BATCH = 64;

  private final int capacity;
  /** [kvHead]: the ranked keys, (score, slot) packed by {@link RankKeys}, in slot order. */
  private final long[][] keys;
  /** [kvHead]: the keys of the cycle positions {@code orderStart ..}, ascending. */
  private final long[][] order;
  private int ranked;
  private int cursor;
  private int orderStart;
  private int orderSize;
  /** Scans done since the order last restarted: 0, 1, then the rest is sorted. */
  private int extensions;

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
    this.order = new long[kvHeads][0];
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
      keys[h] = k;
    }
    ranked = m;
    cursor = 0;
    restartOrder();
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
    int j = cursor;
    if (j < ranked) {
      if (j - orderStart >= orderSize) {
        extendOrder(j);
      }
      for (int h = 0; h < keys.length; h++) {
        slotPerHead[h] = RankKeys.tieBreak(order[h][j - orderStart]);
      }
    } else {
      Arrays.fill(slotPerHead, 0, keys.length, j);
    }
    cursor = j + 1 == capacity ? 0 : j + 1;
    if (cursor == 0) {
      restartOrder(); // the cycle repeats: the lowest key first again
    }
  }

  private void restartOrder() {
    orderStart = 0;
    orderSize = 0;
    extensions = 0;
  }

  /** Makes {@code order} hold the keys of cycle positions {@code j ..}: the next batch, or all that remain. */
  private void extendOrder(int j) {
    int m = ranked;
    int remaining = m - j;
    int want = Math.min(remaining, extensions == 0 ? FIRST_BATCH : extensions == 1 ? SECOND_BATCH : remaining);
    for (int h = 0; h < keys.length; h++) {
      long[] k = keys[h];
      // keys are distinct (the slot breaks ties): the next ones are those above the last handed out
      long last = orderSize == 0 ? Long.MIN_VALUE : order[h][orderSize - 1];
      boolean first = j == 0;
      long[] o = Arrays2.ensure(order[h], want);
      if (want == remaining) {
        int n = 0;
        for (int i = 0; i < m; i++) {
          if (first || k[i] > last) {
            o[n++] = k[i];
          }
        }
        Arrays.sort(o, 0, n);
      } else {
        smallestAbove(k, m, first, last, o, want);
      }
      order[h] = o;
    }
    orderStart = j;
    orderSize = want;
    extensions++;
  }

  /**
   * The {@code want} smallest keys of {@code k[0 .. m)} above {@code last} (all keys when {@code
   * all}), ascending, into {@code o}: one scan that keeps them in a sorted buffer; a key enters only
   * when below the buffer's largest, which soon is rare.
   */
  private static void smallestAbove(long[] k, int m, boolean all, long last, long[] o, int want) {
    int n = 0;
    for (int i = 0; i < m; i++) {
      long x = k[i];
      if (!all && x <= last) {
        continue;
      }
      if (n == want) {
        if (x >= o[n - 1]) {
          continue;
        }
        n--; // the largest drops out
      }
      int p = n++;
      while (p > 0 && o[p - 1] > x) {
        o[p] = o[p - 1];
        p--;
      }
      o[p] = x;
    }
  }
}
