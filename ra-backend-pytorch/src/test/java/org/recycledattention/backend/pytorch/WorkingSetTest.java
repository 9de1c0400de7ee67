package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.maxError;
import static org.recycledattention.tests.RandomData.gaussian;
import static org.recycledattention.tests.RandomData.range;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.CacheStats;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.ReferenceAttention;

/** Evict, retain, gather and the partial cache, mirrored on the reference model. */
class WorkingSetTest {
  private static final int KV = 2;
  private static final int GROUP = 2;
  private static final int D = 32;
  private static final int ROW = KV * D;

  @Test
  void randomWorkingSetOperationsMatchTheReference() {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    CacheSpec spec = new CacheSpec(1, KV * GROUP, KV, D, 2000);
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32"); KvCache cache = backend.allocate(spec)) {
      ReferenceAttention ref = new ReferenceAttention(new CacheSpec(1, KV * GROUP, KV, D, 1 << 20));
      WorkingSet ws = cache.workingSet(0);
      boolean hasPartial = false;
      int position = 0;
      float[] q = new float[spec.queryHeads() * D];
      float[] out = new float[q.length];
      for (int op = 0; op < 300; op++) {
        String what = "seed " + seed + " op " + op;
        int choice = random.nextInt(10);
        if (ref.length(0) < 4 || choice < 3) {
          int t = 1 + (random.nextBoolean() ? 0 : random.nextInt(20));
          float[] k = gaussian(random, t * ROW, 1);
          float[] v = gaussian(random, t * ROW, 1);
          cache.append(0, k, v, range(position, t), t);
          ref.append(0, k, v, range(position, t), t);
          position += t;
        } else if (choice == 3) {
          int[] slots = new int[KV];
          for (int h = 0; h < KV; h++) {
            slots[h] = random.nextInt(ref.length(0));
          }
          ws.evict(slots);
          ref.evict(0, slots);
          hasPartial = false;
        } else if (choice == 4) {
          int slot = ref.length(0) - 1 - random.nextInt(Math.min(3, ref.length(0)));
          ws.evictSlot(slot);
          ref.evict(0, fill(slot));
          hasPartial = false;
        } else if (choice == 5 && ref.length(0) > 8) {
          Selection sel = randomSelection(random, ref.length(0), 1 + random.nextInt(ref.length(0) - 1));
          ws.retain(sel);
          ref.retain(0, sel);
          hasPartial = false;
        } else if (choice == 6) {
          Selection sel = randomSelection(random, ref.length(0), random.nextInt(ref.length(0)) + 1);
          ws.gatherPartial(sel);
          ref.gatherPartial(0, sel);
          hasPartial = true;
        } else if (choice == 7 && hasPartial) {
          int[] replace = new int[KV];
          Arrays.fill(replace, -1);
          if (random.nextBoolean() && ref.partialLength(0) > 0) {
            for (int h = 0; h < KV; h++) {
              replace[h] = random.nextInt(ref.partialLength(0));
            }
          }
          ws.appendToPartial(replace);
          ref.appendToPartial(0, replace);
        } else if (choice == 8 && random.nextInt(4) == 0) {
          ws.clearPartial();
          ref.clearPartial(0);
          hasPartial = false;
        } else {
          fillGaussian(random, q);
          boolean partial = hasPartial && random.nextBoolean();
          StepPlan plan = partial ? StepPlan.Partial.NO_SCORES : StepPlan.Full.LAST_MAX;
          AttentionResult r = cache.attend(0, q, 1, plan, out);
          double[] expected = ref.attend(0, q, 1, plan).output();
          assertThat(maxError(out, expected)).as(what + (partial ? " partial" : " full")).isLessThan(1e-4);
          assertThat(r.attendedTokens()).isEqualTo(partial ? ref.partialLength(0) + 1 : ref.length(0));
        }
        assertSameContents(ws, ref, what);
      }
    }
  }

  private static int[] fill(int slot) {
    int[] a = new int[KV];
    Arrays.fill(a, slot);
    return a;
  }

  @Test
  void evictionAndRetainReallyFreeMemory() {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    CacheSpec spec = new CacheSpec(1, KV * GROUP, KV, D, 4096);
    long entryBytes = 2L * KV * D * Float.BYTES;
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32"); KvCache cache = backend.allocate(spec)) {
      int n = 1000;
      cache.append(0, gaussian(random, n * ROW, 1), gaussian(random, n * ROW, 1), range(0, n), n);
      CacheStats full = cache.stats();
      assertThat(full.residentBytes()).isEqualTo(n * entryBytes);
      WorkingSet ws = cache.workingSet(0);
      ws.retain(randomSelection(random, n, 100));
      assertThat(cache.stats().residentBytes()).isEqualTo(100 * entryBytes);
      assertThat(cache.stats().peakResidentBytes()).isEqualTo(n * entryBytes);
      ws.gatherPartial(randomSelection(random, 100, 10));
      assertThat(cache.stats().residentBytes()).isEqualTo(110 * entryBytes);
      ws.evictSlot(0);
      assertThat(cache.stats().residentBytes()).as("evict drops one entry and the partial cache").isEqualTo(99 * entryBytes);
      assertThat(ws.partialLength()).isZero();
      // the main store's capacity shrank with it: the storage itself is smaller
      DeviceStore main = ((LayerCache) ws).main;
      assertThat(main.capacity()).isLessThanOrEqualTo(4 * 99 + 64);
    }
  }

  @Test
  void scoresGoStaleWhenTheLayerChangesAndCapabilityErrorsAreClear() {
    Random random = new Random(PytorchTestSupport.seed());
    CacheSpec spec = new CacheSpec(2, KV * GROUP, KV, D, 64);
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32"); KvCache cache = backend.allocate(spec)) {
      cache.append(0, gaussian(random, 8 * ROW, 1), gaussian(random, 8 * ROW, 1), range(0, 8), 8);
      float[] q = gaussian(random, spec.queryHeads() * D, 1);
      Scores scores = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, new float[q.length]).scores();
      assertThat(scores.toArray(0)).hasSize(8);
      cache.append(0, gaussian(random, ROW, 1), gaussian(random, ROW, 1), new int[] {8}, 1);
      assertThatThrownBy(() -> scores.toArray(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("stale");
      assertThatThrownBy(() -> cache.attend(0, q, 1, StepPlan.Partial.NO_SCORES, new float[q.length]))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("gatherPartial");
      assertThatThrownBy(() -> cache.attend(1, q, 1, StepPlan.Full.NO_SCORES, new float[q.length]))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds 0 entries");
      assertThatThrownBy(() -> cache.append(0, new float[65 * ROW], new float[65 * ROW], range(0, 65), 65))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTokens of 64");
      assertThatThrownBy(() -> cache.workingSet(0).appendToPartial(new int[] {-1, -1}))
          .isInstanceOf(IllegalStateException.class);
      cache.close();
      cache.close(); // idempotent
      assertThatThrownBy(cache::stats).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
      assertThatThrownBy(() -> cache.workingSet(0).length()).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void closingTheBackendFirstFreesItsCachesAndLaterCloseIsQuiet() {
    Random random = new Random(PytorchTestSupport.seed());
    KvCacheBackend backend = PytorchTestSupport.backend("float16");
    KvCache cache = backend.allocate(new CacheSpec(1, KV * GROUP, KV, D, 64));
    cache.append(0, gaussian(random, 4 * ROW, 1), gaussian(random, 4 * ROW, 1), range(0, 4), 4);
    backend.close();
    backend.close();
    cache.close();
    assertThatThrownBy(() -> backend.allocate(new CacheSpec(1, KV * GROUP, KV, D, 64)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  private static void assertSameContents(WorkingSet ws, ReferenceAttention ref, String what) {
    assertThat(ws.length()).as(what + " length").isEqualTo(ref.length(0));
    assertThat(ws.partialLength()).as(what + " partial length").isEqualTo(ref.partialLength(0));
    for (int h = 0; h < KV; h++) {
      for (int s = 0; s < ref.length(0); s++) {
        assertThat(ws.position(h, s)).as(what + " position").isEqualTo(ref.position(0, h, s));
      }
      for (int s = 0; s < ref.partialLength(0); s++) {
        assertThat(ws.partialPosition(h, s)).as(what + " partial position").isEqualTo(ref.partialPosition(0, h, s));
      }
    }
  }

  /** {@code count} distinct ascending slots per head, chosen independently per head. */
  static Selection randomSelection(Random random, int length, int count) {
    int[][] slots = new int[KV][];
    float[][] scores = new float[KV][count];
    for (int h = 0; h < KV; h++) {
      int[] all = range(0, length);
      for (int i = length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      slots[h] = Arrays.copyOf(all, count);
      Arrays.sort(slots[h]);
    }
    return new Selection(slots, scores);
  }

  private static void fillGaussian(Random random, float[] a) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextGaussian();
    }
  }
}
