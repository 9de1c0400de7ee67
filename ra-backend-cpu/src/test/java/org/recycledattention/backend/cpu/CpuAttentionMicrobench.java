package org.recycledattention.backend.cpu;

import java.util.SplittableRandom;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/**
 * Not a test (surefire ignores it: no {@code @Test}): prints nanoseconds per single-query {@code
 * attend} of one layer, and the implied K/V bandwidth. Run from the module directory after {@code
 * mvn test-compile}:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$HOME/.m2/repository/org/recycledattention/ra-api/0.1.0-SNAPSHOT/ra-api-0.1.0-SNAPSHOT.jar \
 *     org.recycledattention.backend.cpu.CpuAttentionMicrobench [n] [threads] [kvHeads] [queryHeads]
 * </pre>
 */
public final class CpuAttentionMicrobench {
  private CpuAttentionMicrobench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 16384;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int kv = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int qh = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    System.out.printf("n=%d kvHeads=%d queryHeads=%d threads=%d species=%s (ns per attend of one layer; CPU time when threads=1)%n", n, kv, qh, threads, VectorMath.describe());
    for (int dim : new int[] {64, 128}) {
      for (KvDtype dtype : new KvDtype[] {KvDtype.F32, KvDtype.F16, KvDtype.BF16}) {
        bench(n, kv, qh, dim, dtype, threads);
      }
    }
  }

  private static void bench(int n, int kv, int qh, int dim, KvDtype dtype, int threads) {
    SplittableRandom random = new SplittableRandom(1);
    try (CpuBackend backend = CpuBackend.create(dtype, threads);
        KvCache cache = backend.allocate(new CacheSpec(1, qh, kv, dim, n))) {
      int chunk = 1024;
      for (int t = 0; t < n; t += chunk) {
        int c = Math.min(chunk, n - t);
        cache.append(0, RandomData.gaussian(random, c * kv * dim, 1), RandomData.gaussian(random, c * kv * dim, 1), RandomData.range(t, c), c);
      }
      float[] q = RandomData.gaussian(random, qh * dim, 1);
      float[] out = new float[qh * dim];
      double full = time(() -> cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out), threads);
      double scored = time(() -> cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out), threads);
      int k = n / 8;
      cache.workingSet(0).gatherPartial(RandomData.selection(random, kv, n - 1, k));
      double partial = time(() -> cache.attend(0, q, 1, StepPlan.Partial.NO_SCORES, out), threads);
      double bytes = (double) n * kv * dim * 2 * dtype.bytes();
      System.out.printf("dim=%3d %-4s full %8.0f ns (%5.1f GB/s)  full+scores %8.0f ns  partial K=n/8 %8.0f ns%n",
          dim, dtype, full, bytes / full, scored, partial);
    }
  }

  /**
   * Best of 5 rounds of 10 calls, in ns per call. With one thread this is the calling thread's CPU
   * time (so that a machine shared with other jobs still gives stable numbers); with more, wall
   * time.
   */
  private static double time(Runnable r, int threads) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 30; i++) {
      r.run();
    }
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) {
      int iters = 10;
      long t0 = threads == 1 ? mx.getCurrentThreadCpuTime() : System.nanoTime();
      for (int i = 0; i < iters; i++) {
        r.run();
      }
      long t1 = threads == 1 ? mx.getCurrentThreadCpuTime() : System.nanoTime();
      best = Math.min(best, (t1 - t0) / (double) iters);
    }
    return best;
  }
}
