package org.recycledattention.backend.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/**
 * Not a test (surefire ignores it: no {@code @Test}): the attention side of Recycled Attention's
 * steps against full and local attention, without the model's dense part, on {@code
 * synthetic:bench-small}'s geometry (4 layers, 8 query and 4 KV heads of 64). Prints the lower
 * quartile of the time (wall time, or with one thread the CPU time) of each kind of step (all
 * layers), the kinds interleaved step by step: a plain full step; a recycled full step (last-query
 * scores, the top-K with max pooling and the gather into the partial cache, as the policy asks
 * them); the same full step with scores only, and with scores and the top-K but no gather; a
 * recycled partial step (K entries plus the newest, and the newest copied into the partial cache);
 * and a local step (a cache of K entries). Run from the module directory after {@code mvn test-compile}, with the
 * class path of the module's tests:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:RA_API_JAR:RA_TESTS_JAR \
 *     org.recycledattention.backend.cpu.RecycledStepMicrobench [n] [threads] [stride] [rounds] [order]
 * </pre>
 */
public final class RecycledStepMicrobench {
  private static final int LAYERS = 4;
  private static final int QUERY_HEADS = 8;
  private static final int KV_HEADS = 4;
  private static final int DIM = 64;
  private static final int POOL_KERNEL = 7;
  /** Rounds run before the timed ones (the JIT compiles every kind of step). */
  private static final int WARM_ROUNDS = 10;

  private RecycledStepMicrobench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 32768;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int stride = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    // the order of the full steps of each round: f plain, r recycled, s scores only, k scores and top-K
    // (the first one follows the partial and local steps)
    String order = args.length > 4 ? args[4] : "frsk";
    int k = n / 8;
    int steps = (WARM_ROUNDS + rounds) * stride + 16;
    SplittableRandom random = new SplittableRandom(1);
    try (CpuBackend backend = CpuBackend.create(KvDtype.F16, threads);
        KvCache recycled = backend.allocate(spec(n + steps));
        KvCache full = backend.allocate(spec(n + steps));
        KvCache scored = backend.allocate(spec(n + steps));
        KvCache selected = backend.allocate(spec(n + steps));
        KvCache local = backend.allocate(spec(k + steps))) {
      fill(recycled, n, 1);
      fill(full, n, 1);
      fill(scored, n, 1);
      fill(selected, n, 1);
      fill(local, k, 1);
      float[] q = RandomData.gaussian(random, QUERY_HEADS * DIM, 1);
      float[] out = new float[QUERY_HEADS * DIM];
      int[] appendAtEnd = new int[KV_HEADS];
      Arrays.fill(appendAtEnd, -1);
      int[] replace = new int[KV_HEADS];
      long[] fullNs = new long[rounds];
      long[] recycledFullNs = new long[rounds];
      long[] scoredNs = new long[rounds];
      long[] selectedNs = new long[rounds];
      long[] partialNs = new long[rounds * (stride - 1)];
      long[] localNs = new long[rounds * (stride - 1)];
      int position = n;
      for (int warm = -WARM_ROUNDS; warm < rounds; warm++) {
        // one full step of each kind, then stride - 1 partial and local steps, interleaved
        long[] t = new long[4];
        for (char c : order.toCharArray()) {
          long t0 = now(threads);
          switch (c) {
            case 'f' -> {
              for (int l = 0; l < LAYERS; l++) {
                append(full, l, position, random);
                full.attend(l, q, 1, StepPlan.Full.NO_SCORES, out);
              }
            }
            case 'r' -> {
              for (int l = 0; l < LAYERS; l++) {
                append(recycled, l, position, random);
                Scores s = recycled.attend(l, q, 1, StepPlan.Full.LAST_MAX, out).scores();
                Selection selection = s.topK(k, POOL_KERNEL, 0);
                recycled.workingSet(l).gatherPartial(selection);
              }
            }
            case 'k' -> {
              for (int l = 0; l < LAYERS; l++) {
                append(selected, l, position, random);
                selected.attend(l, q, 1, StepPlan.Full.LAST_MAX, out).scores().topK(k, POOL_KERNEL, 0);
              }
            }
            default -> {
              for (int l = 0; l < LAYERS; l++) {
                append(scored, l, position, random);
                scored.attend(l, q, 1, StepPlan.Full.LAST_MAX, out);
              }
            }
          }
          t["frsk".indexOf(c)] = now(threads) - t0;
        }
        if (warm >= 0) {
          fullNs[warm] = t[0];
          recycledFullNs[warm] = t[1];
          scoredNs[warm] = t[2];
          selectedNs[warm] = t[3];
        }
        position++;
        for (int i = 0; i < stride - 1; i++, position++) {
          long p0 = now(threads);
          for (int l = 0; l < LAYERS; l++) {
            append(recycled, l, position, random);
            recycled.attend(l, q, 1, StepPlan.Partial.NO_SCORES, out);
            WorkingSet ws = recycled.workingSet(l);
            if (ws.partialLength() < k) {
              ws.appendToPartial(appendAtEnd);
            } else {
              Arrays.fill(replace, i);
              ws.appendToPartial(replace);
            }
          }
          long p1 = now(threads);
          for (int l = 0; l < LAYERS; l++) {
            append(local, l, position, random);
            local.attend(l, q, 1, StepPlan.Full.NO_SCORES, out);
            local.workingSet(l).evictSlot(0);
          }
          long p2 = now(threads);
          if (warm >= 0) {
            partialNs[warm * (stride - 1) + i] = p1 - p0;
            localNs[warm * (stride - 1) + i] = p2 - p1;
          }
        }
      }
      double f = median(fullNs);
      double rf = median(recycledFullNs);
      double sc = median(scoredNs);
      double sk = median(selectedNs);
      double p = median(partialNs);
      double lo = median(localNs);
      System.out.printf("n=%d K=%d threads=%d stride=%d rounds=%d (lower quartile of ms per step, %d layers,"
          + " attention only; CPU time when threads=1)%n", n, k, threads, stride, rounds, LAYERS);
      System.out.printf("full %.3f | recycled full %.3f (%.3fx) | full + scores %.3f (%.3fx) | + top-K %.3f (%.3fx)"
          + " | partial %.3f | local %.3f (partial/local %.3fx)%n",
          f / 1e6, rf / 1e6, rf / f, sc / 1e6, sc / f, sk / 1e6, sk / f, p / 1e6, lo / 1e6, p / lo);
    }
  }

  private static CacheSpec spec(int maxTokens) {
    return new CacheSpec(LAYERS, QUERY_HEADS, KV_HEADS, DIM, maxTokens);
  }

  private static void fill(KvCache cache, int tokens, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int chunk = 1024;
    for (int l = 0; l < LAYERS; l++) {
      for (int t = 0; t < tokens; t += chunk) {
        int c = Math.min(chunk, tokens - t);
        float[] k = RandomData.gaussian(random, c * KV_HEADS * DIM, 1);
        cache.append(l, k, RandomData.gaussian(random, c * KV_HEADS * DIM, 1), RandomData.range(t, c), c);
      }
    }
  }

  private static void append(KvCache cache, int layer, int position, SplittableRandom random) {
    cache.append(layer, RandomData.gaussian(random, KV_HEADS * DIM, 1), RandomData.gaussian(random, KV_HEADS * DIM, 1),
        new int[] {position}, 1);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * With one thread, the calling thread's CPU time (all of the work runs there, and other jobs on a
   * shared machine move it less than wall time); with more, wall time.
   */
  private static long now(int threads) {
    return threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  /** The lower quartile: on a shared machine, less moved by other jobs than the median. */
  private static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return s[s.length / 4];
  }
}
