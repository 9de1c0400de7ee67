package org.recycledattention.model.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of {@code long} keys with an {@code int} payload each, for the merge loops:
 * primitive arrays instead of one object per candidate pair, which keeps encoding of long texts
 * (hundreds of thousands of candidates) cache-friendly. Not thread-safe.
 */
final class MergeQueue {
  private long[] keys;
  private int[] payloads;
  private int size;

  MergeQueue(int capacity) {
    keys = new long[Math.max(16, capacity)];
    payloads = new int[keys.length];
  }

  /** Key ordering highest {@code score} first, then lowest {@code left}. */
  static long byScoreThenLeft(float score, int left) {
    int bits = Float.floatToIntBits(score);
    int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // orders like the floats
    return ((long) ~sortable << 32) | (left & 0xFFFFFFFFL);
  }

  /** Key ordering lowest {@code rank} first, then lowest {@code left}. */
  static long byRankThenLeft(int rank, int left) {
    return ((long) rank << 32) | (left & 0xFFFFFFFFL);
  }

  /** The left symbol index of a key. */
  static int left(long key) {
    return (int) key;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void push(long key, int payload) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      payloads = Arrays.copyOf(payloads, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (keys[parent] <= key) {
        break;
      }
      keys[i] = keys[parent];
      payloads[i] = payloads[parent];
      i = parent;
    }
    keys[i] = key;
    payloads[i] = payload;
  }

  /** The smallest key; {@link #topPayload()} before {@link #pop()} gives its payload. */
  long topKey() {
    return keys[0];
  }

  int topPayload() {
    return payloads[0];
  }

  void pop() {
    long key = keys[--size];
    int payload = payloads[size];
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < size && keys[child + 1] < keys[child]) {
        child++;
      }
      if (key <= keys[child]) {
        break;
      }
      keys[i] = keys[child];
      payloads[i] = payloads[child];
      i = child;
    }
    keys[i] = key;
    payloads[i] = payload;
  }
}
