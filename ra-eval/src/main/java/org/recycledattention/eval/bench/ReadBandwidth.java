package org.recycledattention.eval.bench;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's memory read bandwidth as Java sees it: {@code threads} threads each sum their
 * contiguous share of one large {@code int} array (a loop C2 vectorises), started together; the
 * rate is the array's bytes over the slowest thread's time, best of several passes. The array is
 * far larger than the caches, so the rate is DRAM's, the bound a KV cache streamed from memory
 * works against.
 *
 * <p>Allocates {@code bytes} on the heap for the duration of the call.
 */
public final class ReadBandwidth {
  /** The array {@code ra bench --bandwidth} reads: 512 MiB, 16 times a 32 MiB L3 cache. */
  public static final long DEFAULT_BYTES = 512L << 20;

  private ReadBandwidth() {}

  /**
   * @param threads reading threads, >= 1
   * @param bytes the array's size, a multiple of {@code 4 · threads}, at least 1 MiB
   * @param passes timed passes (one untimed pass comes first), >= 1
   * @return GB/s (10^9 bytes per second) of the best pass
   */
  public static double measure(int threads, long bytes, int passes) {
    if (threads < 1 || passes < 1 || bytes < (1 << 20) || bytes / 4 > Integer.MAX_VALUE - 8 || bytes % (4L * threads) != 0) {
      throw new IllegalArgumentException("need threads >= 1, passes >= 1 and 1 MiB <= bytes < 8 GiB, a multiple of 4 x threads; got "
          + threads + ", " + passes + ", " + bytes);
    }
    int[] data = new int[(int) (bytes / 4)];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    int share = data.length / threads;
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicLong sink = new AtomicLong();
    long[] elapsed = new long[threads];
    long best = Long.MAX_VALUE;
    for (int pass = 0; pass <= passes; pass++) {
      Thread[] readers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int id = t;
        readers[t] = new Thread(() -> {
          try {
            start.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          long t0 = System.nanoTime();
          sink.addAndGet(sum(data, id * share, share));
          elapsed[id] = System.nanoTime() - t0;
        }, "ra-bandwidth-" + t);
        readers[t].start();
      }
      long slowest = 0;
      for (int t = 0; t < threads; t++) {
        try {
          readers[t].join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while measuring the read bandwidth", e);
        }
        slowest = Math.max(slowest, elapsed[t]);
      }
      if (pass > 0) {
        best = Math.min(best, slowest);
      }
    }
    if (sink.get() == 42) {
      System.out.print(""); // keeps the sums alive
    }
    return bytes / (double) best;
  }

  private static long sum(int[] a, int from, int count) {
    int s = 0;
    for (int i = from; i < from + count; i++) {
      s += a[i];
    }
    return s;
  }
}
