package org.recycledattention.policy.support;

import java.util.Arrays;

/** Growth of per-slot state arrays: amortised doubling, never past a cap. */
public final class Arrays2 {
  private Arrays2() {}

  /** {@code a} when it holds {@code needed} elements, else a copy at least that long. */
  public static float[] ensure(float[] a, int needed) {
    return a.length >= needed ? a : Arrays.copyOf(a, grownLength(a.length, needed));
  }

  /** {@code a} when it holds {@code needed} elements, else a copy at least that long. */
  public static int[] ensure(int[] a, int needed) {
    return a.length >= needed ? a : Arrays.copyOf(a, grownLength(a.length, needed));
  }

  /** {@code a} when it holds {@code needed} elements, else a copy at least that long. */
  public static long[] ensure(long[] a, int needed) {
    return a.length >= needed ? a : Arrays.copyOf(a, grownLength(a.length, needed));
  }

  private static int grownLength(int current, int needed) {
    long doubled = Math.max(16L, 2L * current);
    return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(doubled, needed));
  }
}
