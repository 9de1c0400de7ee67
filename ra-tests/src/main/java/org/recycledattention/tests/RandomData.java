package org.recycledattention.tests;

import java.util.random.RandomGenerator;

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
