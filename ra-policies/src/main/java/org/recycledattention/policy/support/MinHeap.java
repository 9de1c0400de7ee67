package org.recycledattention.policy.support;

/**
 * A binary min-heap of {@code long} keys held in the prefix of an array, with heapsort's pop: the
 * minimum moves to the end of the heap, so after {@code i} pops the last {@code i} elements of the
 * original range hold the popped keys, the first popped last. Heapify is O(n), a pop O(log n);
 * nothing is allocated.
 */
public final class MinHeap {
  private MinHeap() {}

  /** Arranges {@code a[0 .. size)} as a min-heap. */
  public static void heapify(long[] a, int size) {
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(a, i, size);
    }
  }

  /**
   * Moves the minimum of the heap {@code a[0 .. size)} to {@code a[size - 1]} and restores the heap
   * on {@code a[0 .. size - 1)}.
   *
   * @return the minimum
   */
  public static long popToEnd(long[] a, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("pop from an empty heap");
    }
    long min = a[0];
    a[0] = a[size - 1];
    a[size - 1] = min;
    siftDown(a, 0, size - 1);
    return min;
  }

  private static void siftDown(long[] a, int i, int size) {
    long x = a[i];
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        break;
      }
      int c = l + 1 < size && a[l + 1] < a[l] ? l + 1 : l;
      if (a[c] >= x) {
        break;
      }
      a[i] = a[c];
      i = c;
    }
    a[i] = x;
  }
}
