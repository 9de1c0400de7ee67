package org.recycledattention.backend.cpu;

import java.util.SplittableRandom;

/** Seeded random inputs for tests. */
final class TestData {
  private TestData() {}

  static float[] gaussian(SplittableRandom random, int n, double sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller; SplittableRandom has no nextGaussian
      double u = 1.0 - random.nextDouble();
      double w = random.nextDouble();
      a[i] = (float) (sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
    }
    return a;
  }

  static int[] range(int from, int count) {
    int[] p = new int[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return p;
  }

  /** {@code count} distinct ascending slots from {@code [0, length)}. */
  static int[] ascendingSubset(SplittableRandom random, int length, int count) {
    boolean[] taken = new boolean[length];
    int c = 0;
    while (c < count) {
      int s = random.nextInt(length);
      if (!taken[s]) {
        taken[s] = true;
        c++;
      }
    }
    int[] out = new int[count];
    int i = 0;
    for (int s = 0; s < length; s++) {
      if (taken[s]) {
        out[i++] = s;
      }
    }
    return out;
  }
}
