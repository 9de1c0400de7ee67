package org.recycledattention.eval.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's memory read bandwidth as Java sees it: {@code threads} threads each sum their
 * contiguous share of one large off-heap block, started together; the rate is the block's bytes
 * over the slowest thread's time, best of several passes. The block is far larger than the caches,
 * so the rate is DRAM's, the bound a KV cache streamed from memory works against.
 *
 * <p>The sum is an explicit vector loop with four independent accumulators and a {@code long}
 * index. The loop this class ran before, a scalar {@code int} sum over a heap array that C2
 * vectorises itself, read 32–33 GB/s on the 2-core VM where this one and a C loop ({@code gcc -O3
 * -march=native -fopenmp}, four AVX-512 accumulators) read 44–47 GB/s: a bandwidth that low made
 * every "share of the bandwidth" figure look about 40% better than it was.
 *
 * <p>Allocates {@code bytes} off the heap for the duration of the call.
 */
public final class ReadBandwidth {
  /** The block {@code ra bench --bandwidth} reads: 512 MiB, 16 times a 32 MiB L3 cache. */
  public static final long DEFAULT_BYTES = 512L << 20;

  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  // bytes summed per iteration of the vector loop: four vectors
  private static final long STEP = 4L * I.vectorByteSize();

  private ReadBandwidth() {}

  /**
   * @param threads reading threads, >= 1
   * @param bytes the block's size, a multiple of {@code 4 · threads}, at least 1 MiB
   * @param passes timed passes (one untimed pass comes first), >= 1
   * @return GB/s (10^9 bytes per second) of the best pass
   */
  public static double measure(int threads, long bytes, int passes) {
    if (threads < 1 || passes < 1 || bytes < (1 << 20) || bytes / 4 > Integer.MAX_VALUE - 8 || bytes % (4L * threads) != 0) {
      throw new IllegalArgumentException("need threads >= 1, passes >= 1 and 1 MiB <= bytes < 8 GiB, a multiple of 4 x threads; got "
          + threads + ", " + passes + ", " + bytes);
    }
    try (Arena arena = Arena.ofShared()) {
      MemorySegment data = arena.allocate(bytes, 4096);
      for (long i = 0; i < bytes; i += 4) {
        data.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i >>> 2));
      }
      return bytes / (double) bestPass(data, threads, passes);
    }
  }

  // nanoseconds of the best timed pass, each pass timed by its slowest thread
  private static long bestPass(MemorySegment data, int threads, int passes) {
    long share = data.byteSize() / threads;
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
          sink.addAndGet(sum(data, id * share, (id + 1) * share));
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
    return best;
  }

  /** The sum of the ints in {@code [from, to)} (byte offsets, multiples of 4), wrapping. */
  static long sum(MemorySegment data, long from, long to) {
    IntVector a0 = IntVector.zero(I);
    IntVector a1 = a0;
    IntVector a2 = a0;
    IntVector a3 = a0;
    long o = from;
    int width = I.vectorByteSize();
    for (; o + STEP <= to; o += STEP) {
      a0 = a0.add(IntVector.fromMemorySegment(I, data, o, ByteOrder.LITTLE_ENDIAN));
      a1 = a1.add(IntVector.fromMemorySegment(I, data, o + width, ByteOrder.LITTLE_ENDIAN));
      a2 = a2.add(IntVector.fromMemorySegment(I, data, o + 2L * width, ByteOrder.LITTLE_ENDIAN));
      a3 = a3.add(IntVector.fromMemorySegment(I, data, o + 3L * width, ByteOrder.LITTLE_ENDIAN));
    }
    int s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    for (; o < to; o += 4) {
      s += data.get(ValueLayout.JAVA_INT_UNALIGNED, o);
    }
    return s;
  }
}
