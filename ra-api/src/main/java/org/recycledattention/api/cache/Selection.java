package org.recycledattention.api.cache;

import java.util.Arrays;

/**
 * Selected slots of one layer, per KV head, each with its (pooled) score: the output of {@link
 * Scores#topK}. Small (K entries per head), so it lives on the host even for device backends.
 * Slots are ascending within each head; every head has the same count.
 *
 * <p>Immutable; thread-safe.
 */
public final class Selection {
  private final int[][] slots;
  private final float[][] scores;

  /** Takes ownership of the arrays. {@code slots[h]} ascending, same length for every head. */
  public Selection(int[][] slots, float[][] scores) {
    if (slots.length == 0 || slots.length != scores.length) {
      throw new IllegalArgumentException("a selection needs one slot array and one score array per KV head");
    }
    for (int h = 0; h < slots.length; h++) {
      if (slots[h].length != slots[0].length || scores[h].length != slots[h].length) {
        throw new IllegalArgumentException("every KV head of a selection must select the same number of slots");
      }
      for (int i = 1; i < slots[h].length; i++) {
        if (slots[h][i] <= slots[h][i - 1]) {
          throw new IllegalArgumentException("slots of KV head " + h + " must be strictly ascending");
        }
      }
    }
    this.slots = slots;
    this.scores = scores;
  }

  public int kvHeads() {
    return slots.length;
  }

  /** Slots selected per KV head. */
  public int size() {
    return slots[0].length;
  }

  public int slot(int kvHead, int i) {
    return slots[kvHead][i];
  }

  public float score(int kvHead, int i) {
    return scores[kvHead][i];
  }

  /** A copy of one head's slots. */
  public int[] slots(int kvHead) {
    return slots[kvHead].clone();
  }

  /** A copy of one head's scores. */
  public float[] scores(int kvHead) {
    return scores[kvHead].clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Selection s && Arrays.deepEquals(slots, s.slots) && Arrays.deepEquals(scores, s.scores);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(slots);
  }

  @Override
  public String toString() {
    return "Selection" + Arrays.deepToString(slots);
  }
}
