package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KernelThreads;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/** The same inputs give the same bits whatever the number of threads. */
class DeterminismTest {
  private record Run(float[] decodeOut, float[] decodeScores, float[] prefillOut, float[] prefillScores) {}

  private static Run run(KvDtype dtype, int threads, long seed) {
    return run(dtype, threads, seed, null);
  }

  /** With {@code lent} non-null, the cache is offered those threads and must take them. */
  private static Run run(KvDtype dtype, int threads, long seed, KernelThreads lent) {
    SplittableRandom random = new SplittableRandom(seed);
    int kv = 4;
    int qh = 16;
    int dim = 64;
    int n = 3000;
    int chunk = 16;
    try (CpuBackend backend = CpuBackend.create(dtype, threads);
        KvCache cache = backend.allocate(new CacheSpec(1, qh, kv, dim, n))) {
      if (lent != null) {
        assertThat(cache.shareThreads(lent)).as("takes the lent threads").isTrue();
      }
      cache.append(0, RandomData.gaussian(random, (n - chunk) * kv * dim, 1), RandomData.gaussian(random, (n - chunk) * kv * dim, 1),
          RandomData.range(0, n - chunk), n - chunk);
      cache.append(0, RandomData.gaussian(random, chunk * kv * dim, 1), RandomData.gaussian(random, chunk * kv * dim, 1),
          RandomData.range(n - chunk, chunk), chunk);
      float[] prefillOut = new float[chunk * qh * dim];
      AttentionResult r = cache.attend(0, RandomData.gaussian(random, chunk * qh * dim, 2), chunk, new StepPlan.Full(ScoreRequest.SUM_MAX), prefillOut);
      float[] prefillScores = r.scores().toArray(kv - 1);
      float[] decodeOut = new float[qh * dim];
      r = cache.attend(0, RandomData.gaussian(random, qh * dim, 2), 1, StepPlan.Full.LAST_MAX, decodeOut);
      return new Run(decodeOut, r.scores().toArray(0), prefillOut, prefillScores);
    }
  }

  @ParameterizedTest
  @EnumSource(value = KvDtype.class, names = {"F32", "F16"})
  void resultsDoNotDependOnTheThreadCount(KvDtype dtype) {
    Run one = run(dtype, 1, 99);
    for (int threads : new int[] {2, 3}) {
      Run many = run(dtype, threads, 99);
      assertThat(many.decodeOut()).as("decode output, %d threads", threads).containsExactly(one.decodeOut());
      assertThat(many.decodeScores()).as("decode scores, %d threads", threads).containsExactly(one.decodeScores());
      assertThat(many.prefillOut()).as("prefill output, %d threads", threads).containsExactly(one.prefillOut());
      assertThat(many.prefillScores()).as("prefill scores, %d threads", threads).containsExactly(one.prefillScores());
    }
  }

  /** Two threads of the caller's: index 0 on the caller, the rest, last first, on a second thread. */
  private static final class LentThreads implements KernelThreads {
    final ExecutorService other = Executors.newSingleThreadExecutor();
    int calls;

    @Override
    public int threads() {
      return 2;
    }

    @Override
    public void forEach(int n, IntConsumer body) {
      calls++;
      Future<?> rest = other.submit(() -> {
        for (int i = n - 1; i > 0; i--) {
          body.accept(i);
        }
      });
      body.accept(0);
      try {
        rest.get();
      } catch (InterruptedException | ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = KvDtype.class, names = {"F32", "F16"})
  void lentKernelThreadsRunTheUnitsAndChangeNoBit(KvDtype dtype) {
    Run one = run(dtype, 1, 5);
    LentThreads lent = new LentThreads();
    try {
      Run shared = run(dtype, 2, 5, lent);
      assertThat(lent.calls).as("attention calls run on the lent threads").isEqualTo(2);
      assertThat(shared).usingRecursiveComparison().isEqualTo(one);
    } finally {
      lent.other.shutdown();
    }
    try (CpuBackend single = CpuBackend.create(dtype, 1);
        KvCache cache = single.allocate(new CacheSpec(1, 2, 1, 16, 4))) {
      assertThat(cache.shareThreads(lent)).as("a one-thread backend keeps attention on the caller").isFalse();
    }
  }

  /** One KV head and no scores: the group is split into sub-groups across threads. */
  @org.junit.jupiter.api.Test
  void splittingAGroupAcrossThreadsChangesNoBit() {
    SplittableRandom random = new SplittableRandom(77);
    int qh = 6;
    int dim = 48;
    int n = 1500;
    float[] k = RandomData.gaussian(random, n * dim, 1);
    float[] v = RandomData.gaussian(random, n * dim, 1);
    float[] q = RandomData.gaussian(random, qh * dim, 2);
    float[] reference = null;
    for (int threads : new int[] {1, 2, 3, 4, 7}) {
      try (CpuBackend backend = CpuBackend.create(KvDtype.BF16, threads); KvCache cache = backend.allocate(new CacheSpec(1, qh, 1, dim, n))) {
        cache.append(0, k, v, RandomData.range(0, n), n);
        float[] out = new float[qh * dim];
        cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
        float[] scored = new float[qh * dim];
        cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, scored);
        assertThat(out).as("%d threads, with and without scores", threads).containsExactly(scored);
        if (reference == null) {
          reference = out;
        } else {
          assertThat(out).as("%d threads", threads).containsExactly(reference);
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void cachesOfOneBackendCanBeUsedFromSeveralThreadsAtOnce() throws Exception {
    int kv = 2;
    int qh = 8;
    int dim = 64;
    int n = 2000;
    SplittableRandom random = new SplittableRandom(12);
    float[] k = RandomData.gaussian(random, n * kv * dim, 1);
    float[] v = RandomData.gaussian(random, n * kv * dim, 1);
    float[] q = RandomData.gaussian(random, qh * dim, 2);
    float[] expected = new float[qh * dim];
    try (CpuBackend single = CpuBackend.create(KvDtype.F32, 1); KvCache cache = single.allocate(new CacheSpec(1, qh, kv, dim, n))) {
      cache.append(0, k, v, RandomData.range(0, n), n);
      cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, expected);
    }
    try (CpuBackend shared = CpuBackend.create(KvDtype.F32, 3)) {
      java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
          results.add(callers.submit(() -> {
            try (KvCache cache = shared.allocate(new CacheSpec(1, qh, kv, dim, n))) {
              cache.append(0, k, v, RandomData.range(0, n), n);
              float[] out = new float[qh * dim];
              for (int i = 0; i < 50; i++) {
                cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
                if (!java.util.Arrays.equals(out, expected)) {
                  return false;
                }
              }
              return true;
            }
          }));
        }
        for (var r : results) {
          assertThat(r.get()).isTrue();
        }
      } finally {
        callers.shutdown();
      }
    }
  }
}
