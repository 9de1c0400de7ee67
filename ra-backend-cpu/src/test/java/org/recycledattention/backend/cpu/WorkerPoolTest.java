package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/**
 * Work on two threads does not depend on the pool starting its task: attention, the top-K of a
 * head's scores and the gather of the partial cache finish on the calling thread when the pool's
 * only worker is busy elsewhere.
 */
class WorkerPoolTest {
  private static final CacheSpec SPEC = new CacheSpec(1, 8, 4, 64, 16384);
  /** Long enough for the top-K and the gather to split their heads over the pool. */
  private static final int N = 8192;

  /** Attention output, then the top-K slots of every head and the partial cache's first key, flattened. */
  private static float[] run(CpuBackend backend, float[] k, float[] v, float[] q) {
    try (KvCache cache = backend.allocate(SPEC)) {
      cache.append(0, k, v, RandomData.range(0, N), N);
      float[] out = new float[SPEC.queryHeads() * SPEC.headDim()];
      Selection selection = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out).scores().topK(N / 8, 7, 0);
      cache.workingSet(0).gatherPartial(selection);
      float[] result = Arrays.copyOf(out, out.length + SPEC.kvHeads() * N / 8);
      for (int h = 0; h < SPEC.kvHeads(); h++) {
        for (int i = 0; i < N / 8; i++) {
          result[out.length + h * N / 8 + i] = selection.slot(h, i);
        }
      }
      return result;
    }
  }

  @Test
  void nothingWaitsForAPoolTaskThatNeverStarts() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    float[] k = RandomData.gaussian(r, N * SPEC.kvHeads() * SPEC.headDim(), 1);
    float[] v = RandomData.gaussian(r, N * SPEC.kvHeads() * SPEC.headDim(), 1);
    float[] q = RandomData.gaussian(r, SPEC.queryHeads() * SPEC.headDim(), 1);
    float[] expected;
    try (CpuBackend one = CpuBackend.create(KvDtype.F16, 1)) {
      expected = run(one, k, v, q);
    }
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    try (CpuBackend two = CpuBackend.create(KvDtype.F16, 2)) {
      // the pool's only worker is busy for as long as the test likes: a task queued behind it never starts
      two.pool().execute(() -> {
        blocked.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      blocked.await();
      float[] out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run(two, k, v, q),
          "waited for a pool task that had not started");
      assertThat(out).containsExactly(expected);
      release.countDown();
      // once the worker is free, the skipped task runs and touches nothing; attention on two threads works as before
      assertThat(run(two, k, v, q)).containsExactly(expected);
    } finally {
      release.countDown();
    }
  }
}
