package org.recycledattention.tests;

import java.util.random.RandomGenerator;
import org.recycledattention.api.cache.Selection;

/** Seeded random inputs for backend and policy tests: keys, values and queries, positions, selections. */
public final class RandomData {
  private RandomData() {}

  /** {@code n} standard normal values times {@code sigma}. */
  public static float[] gaussian(RandomGenerator random, int n, double sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (sigma * random.nextGaussian());
    }
    return a;
  }

  /** {@code from, from + 1, ..., from + count - 1}: the positions of consecutive tokens. */
  public static int[] range(int from, int count) {
    int[] p = new int[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return p;
  }

  /**
   * A selection of {@code count} random slots of {@code [0, length)} per KV head ({@link
   * #ascendingSubset}, head by head), with zero scores.
   */
  public static Selection selection(RandomGenerator random, int kvHeads, int length, int count) {
    int[][] slots = new int[kvHeads][];
    for (int h = 0; h < kvHeads; h++) {
      slots[h] = ascendingSubset(random, length, count);
    }
    return new Selection(slots, new float[kvHeads][count]);
  }

  /** {@code count} distinct ascending values from {@code [0, length)}: the slots of a selection. */
  public static int[] ascendingSubset(RandomGenerator random, int length, int count) {
    if (count > length) {
      throw new IllegalArgumentException("cannot pick " + count + " distinct slots of " + length);
    }
    boolean[] taken = new boolean[length];
    for (int c = 0; c < count; ) {
      int s = random.nextInt(length);
      if (!taken[s]) {
        taken[s] = true;
        c++;
      }
    }
    int[] out = new int[count];
    for (int s = 0, i = 0; s < length; s++) {
      if (taken[s]) {
        out[i++] = s;
      }
    }
    return out;
  }
}
