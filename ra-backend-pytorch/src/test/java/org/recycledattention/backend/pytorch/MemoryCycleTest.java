package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.recycledattention.tests.RandomData.gaussian;
import static org.recycledattention.tests.RandomData.range;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;

/**
 * Native memory stays flat: over many allocate/append/attend/close cycles, and over many steps of
 * one cache. Measured as the process's resident set (VmRSS), which counts libtorch's allocations.
 * The bounds are generous (allocator noise); a leak of one step's tensors would exceed them.
 */
class MemoryCycleTest {
  private static final CacheSpec SPEC = new CacheSpec(2, 4, 2, 64, 512);
  // a leaked cache would be ~1 MiB per cycle (1 GiB over the test); allocator and heap-growth noise on a
  // shared machine reached 76 MiB once, so the bound is 128 MiB of resident memory beyond the Java heap's growth
  private static final long BOUND = 128L << 20;

  @Test
  void thousandCacheCyclesKeepNativeMemoryFlat() {
    Random random = new Random(PytorchTestSupport.seed());
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32")) {
      Data data = new Data(random);
      for (int i = 0; i < 200; i++) {
        cycle(backend, data);
      }
      System.gc();
      long before = rss();
      long heapBefore = Runtime.getRuntime().totalMemory();
      for (int i = 0; i < 1000; i++) {
        cycle(backend, data);
      }
      System.gc();
      long heapAfter = Runtime.getRuntime().totalMemory();
      long after = rss() - Math.max(0, heapAfter - heapBefore);
      System.out.printf("pytorch memory cycle test: VmRSS %d KiB after 200 warm-up cycles, %d KiB after 1000 more (%+d KiB);"
          + " Java heap committed %+d KiB%n", before >> 10, after >> 10, (after - before) >> 10, (heapAfter - heapBefore) >> 10);
      assertThat(after - before).as("VmRSS growth over 1000 cycles (bytes)").isLessThan(BOUND);
    }
  }

  @Test
  void manyStepsOfOneCacheDoNotLeakTemporaries() {
    Random random = new Random(PytorchTestSupport.seed());
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32"); KvCache cache = backend.allocate(SPEC)) {
      Data data = new Data(random);
      cache.append(0, data.chunkK, data.chunkV, range(0, 256), 256);
      long before = 0;
      for (int step = 0; step < 4000; step++) {
        if (step == 500) {
          before = rss();
        }
        // steady state: attend with scores, select, evict one, append one (length stays 256)
        var scores = cache.attend(0, data.q, 1, StepPlan.Full.LAST_MAX, data.out).scores();
        Selection s = scores.topK(1, 1, 0);
        cache.workingSet(0).evict(new int[] {s.slot(0, 0), s.slot(1, 0)});
        cache.append(0, data.k1, data.v1, new int[] {256 + step}, 1);
      }
      long after = rss();
      System.out.printf("pytorch step test: VmRSS %d KiB at step 500, %d KiB at step 4000 (%+d KiB); Java heap committed %d KiB%n",
          before >> 10, after >> 10, (after - before) >> 10, Runtime.getRuntime().totalMemory() >> 10);
      assertThat(after - before).as("VmRSS growth over 3500 steps (bytes)").isLessThan(BOUND);
    }
  }

  private static void cycle(KvCacheBackend backend, Data d) {
    try (KvCache cache = backend.allocate(SPEC)) {
      for (int layer = 0; layer < SPEC.layers(); layer++) {
        cache.append(layer, d.chunkK, d.chunkV, range(0, 64), 64);
        for (int t = 0; t < 8; t++) {
          cache.append(layer, d.k1, d.v1, new int[] {64 + t}, 1);
        }
        var full = cache.attend(layer, d.q, 1, StepPlan.Full.LAST_MAX, d.out);
        WorkingSet ws = cache.workingSet(layer);
        ws.gatherPartial(full.scores().topK(16, 3, 2));
        cache.attend(layer, d.q, 1, StepPlan.Partial.NO_SCORES, d.out);
        ws.evictSlot(3);
      }
    }
  }

  private static final class Data {
    final float[] chunkK;
    final float[] chunkV;
    final float[] k1;
    final float[] v1;
    final float[] q;
    final float[] out;

    Data(Random random) {
      int row = SPEC.kvHeads() * SPEC.headDim();
      chunkK = gaussian(random, 256 * row, 1);
      chunkV = gaussian(random, 256 * row, 1);
      k1 = gaussian(random, row, 1);
      v1 = gaussian(random, row, 1);
      q = gaussian(random, SPEC.queryHeads() * SPEC.headDim(), 1);
      out = new float[q.length];
    }
  }

  /** Resident set size of this process in bytes (Linux), after a GC (direct buffers are freed by GC). */
  static long rss() {
    System.gc();
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isReadable(status), "no /proc/self/status: VmRSS is measured on Linux only");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + status, e);
    }
    throw new IllegalStateException("no VmRSS line in " + status);
  }
}
