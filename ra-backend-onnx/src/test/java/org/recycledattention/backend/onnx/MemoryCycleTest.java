package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/**
 * Native memory stays flat over many allocate/append/attend/select/close cycles: every tensor
 * handle, arena and (per backend) session is released. Measured as the process's resident set
 * ({@code VmRSS}), which includes the Java heap, so the bound is generous.
 */
class MemoryCycleTest {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final long BOUND_BYTES = 48L << 20;

  static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS line in " + STATUS);
  }

  /** Inputs generated once, so that the Java heap stays quiet and the resident set shows native memory. */
  private record Inputs(float[] k, float[] v, float[] q, int[] positions) {
    static Inputs random(Random random, int maxTokens, int kvHeads, int dim, int queryHeads) {
      return new Inputs(RandomData.gaussian(random, maxTokens * kvHeads * dim, 1), RandomData.gaussian(random, maxTokens * kvHeads * dim, 1),
          RandomData.gaussian(random, queryHeads * dim, 1), RandomData.range(0, maxTokens));
    }
  }

  private static final int DIM = 64;
  private static final int KV_HEADS = 2;
  private static final int MAX_TOKENS = 512;

  private static void cycle(OnnxBackend backend, Random random, Inputs in, float[] out) {
    try (KvCache cache = backend.allocate(new CacheSpec(2, 4, KV_HEADS, DIM, MAX_TOKENS))) {
      for (int l = 0; l < 2; l++) {
        int n = 200 + random.nextInt(300); // 200..499 entries: ~0.5 MB of keys and values per layer
        cache.append(l, in.k(), in.v(), in.positions(), n);
        var r = cache.attend(l, in.q(), 1, StepPlan.Full.LAST_MAX, out);
        Selection s = r.scores().topK(64, 5, 4);
        cache.workingSet(l).gatherPartial(s);
        cache.append(l, in.k(), in.v(), new int[] {n}, 1);
        cache.attend(l, in.q(), 1, StepPlan.Partial.NO_SCORES, out);
        cache.workingSet(l).retain(s);
      }
    }
  }

  /** Lets the collector shrink the heap, so that heap noise does not hide or fake native growth. */
  private static void settle() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
  }

  @Test
  void thousandCyclesKeepTheResidentSetFlat() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(STATUS), "needs /proc/self/status (Linux) to read the resident set");
    Random random = new Random(1000);
    try (OnnxBackend backend = OnnxBackend.create(new OnnxSettings(1, OnnxSettings.ExecutionProvider.CPU, OnnxSettings.Optimization.ALL))) {
      Inputs in = Inputs.random(random, MAX_TOKENS, KV_HEADS, DIM, 4);
      float[] out = new float[4 * DIM];
      for (int i = 0; i < 100; i++) { // warm up: sessions, ORT's arena, JIT, heap
        cycle(backend, random, in, out);
      }
      settle();
      long before = rssBytes();
      for (int i = 0; i < 1000; i++) {
        cycle(backend, random, in, out);
      }
      settle();
      long after = rssBytes();
      System.out.printf("VmRSS after warm-up %.1f MiB, after 1000 more cycles %.1f MiB (growth %.1f MiB)%n",
          before / 1048576.0, after / 1048576.0, (after - before) / 1048576.0);
      assertThat(after - before).as("RSS growth over 1000 cycles (before %d, after %d)", before, after).isLessThan(BOUND_BYTES);
    }
  }
}
