package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;
import org.recycledattention.tests.ReferenceAttention;

/** Evict, retain, gather and appendToPartial: semantics, positions, memory and argument checks. */
class WorkingSetTest {
  private static final int KV = 2;
  private static final int QH = 4;
  private static final int DIM = 32;

  private final SplittableRandom random = new SplittableRandom(7);

  private void appendTokens(KvCache cache, ReferenceAttention ref, int layer, int from, int count) {
    float[] k = RandomData.gaussian(random, count * KV * DIM, 1.0);
    float[] v = RandomData.gaussian(random, count * KV * DIM, 1.0);
    int[] pos = RandomData.range(from, count);
    cache.append(layer, k, v, pos, count);
    if (ref != null) {
      ref.append(layer, k, v, pos, count);
    }
  }

  private static Selection selection(int[][] slots) {
    float[][] scores = new float[slots.length][slots[0].length];
    return new Selection(slots, scores);
  }

  private static void assertPositions(WorkingSet ws, ReferenceAttention ref) {
    int layer = ws.layer();
    for (int h = 0; h < ws.kvHeads(); h++) {
      assertThat(ws.length()).isEqualTo(ref.length(layer));
      for (int s = 0; s < ws.length(); s++) {
        assertThat(ws.position(h, s)).as("head %d slot %d", h, s).isEqualTo(ref.position(layer, h, s));
      }
      assertThat(ws.partialLength()).isEqualTo(ref.partialLength(layer));
      for (int s = 0; s < ws.partialLength(); s++) {
        assertThat(ws.partialPosition(h, s)).as("head %d partial slot %d", h, s).isEqualTo(ref.partialPosition(layer, h, s));
      }
    }
  }

  /** Random sequences of every operation, checked against the model after each step. */
  @ParameterizedTest(name = "seed={0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomOperationsMatchTheModel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    KvDtype dtype = KvDtype.values()[(int) (seed % 3)];
    try (CpuBackend backend = CpuBackend.create(dtype, 2);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 4096))) {
      ReferenceAttention ref = new ReferenceAttention(cache.spec(), dtype);
      WorkingSet ws = cache.workingSet(0);
      int nextPos = 0;
      boolean partial = false; // whether the layer has a partial cache (it may be empty)
      for (int step = 0; step < 300; step++) {
        int op = r.nextInt(10);
        int length = ref.length(0);
        if (length == 0 || op <= 2) {
          int n = 1 + r.nextInt(op == 0 ? 40 : 2);
          float[] k = RandomData.gaussian(r, n * KV * DIM, 1.0);
          float[] v = RandomData.gaussian(r, n * KV * DIM, 1.0);
          int[] pos = RandomData.range(nextPos, n);
          cache.append(0, k, v, pos, n);
          ref.append(0, k, v, pos, n);
          nextPos += n;
        } else if (op == 3 && length > 1) {
          int[] slots = new int[KV];
          for (int h = 0; h < KV; h++) {
            slots[h] = r.nextInt(length);
          }
          ws.evict(slots);
          ref.evict(0, slots);
          partial = false;
        } else if (op == 4 && length > 8 && r.nextInt(4) == 0) {
          int keep = 1 + r.nextInt(length - 1);
          Selection kept = RandomData.selection(r, KV, length, keep);
          ws.retain(kept);
          ref.retain(0, kept);
          partial = false;
        } else if (op == 5) {
          int size = r.nextInt(length + 1);
          Selection gathered = RandomData.selection(r, KV, length, size);
          ws.gatherPartial(gathered);
          ref.gatherPartial(0, gathered);
          partial = true;
        } else if (op == 6 && partial) {
          int pl = ref.partialLength(0);
          int[] replace = new int[KV];
          if (pl == 0 || r.nextBoolean()) {
            Arrays.fill(replace, -1);
          } else {
            for (int h = 0; h < KV; h++) {
              replace[h] = r.nextInt(pl);
            }
          }
          ws.appendToPartial(replace);
          ref.appendToPartial(0, replace);
        } else if (op == 7 && r.nextInt(3) == 0) {
          ws.clearPartial();
          ref.clearPartial(0);
          partial = false;
        } else {
          boolean usePartial = partial && r.nextBoolean();
          float[] q = RandomData.gaussian(r, QH * DIM, 1.0);
          float[] out = new float[QH * DIM];
          StepPlan plan = usePartial ? new StepPlan.Partial(ScoreRequest.LAST_MAX) : StepPlan.Full.LAST_MAX;
          AttentionResult res = cache.attend(0, q, 1, plan, out);
          ReferenceAttention.Result expected = ref.attend(0, q, 1, plan);
          AttentionTest.assertClose(seed * 1000 + step, out, expected.output(), 2e-5);
          AttentionTest.assertScores(seed * 1000 + step, res.scores(), expected.scores());
        }
        assertPositions(ws, ref);
        assertThat(cache.stats().residentBytes()).isEqualTo(ref.residentBytes(dtype));
      }
    }
  }

  /**
   * A partial step over C_p + the newest entry is bit-identical to a full step over a main store
   * that holds exactly those entries in that order (what Recycled Attention relies on).
   */
  @ParameterizedTest
  @EnumSource(KvDtype.class)
  void partialStepEqualsFullStepOverTheSameEntriesBitForBit(KvDtype dtype) {
    try (CpuBackend backend = CpuBackend.create(dtype, 2);
        KvCache a = backend.allocate(new CacheSpec(1, 8, KV, 64, 4096));
        KvCache b = backend.allocate(new CacheSpec(1, 8, KV, 64, 4096))) {
      int n = 1500;
      float[] k = RandomData.gaussian(random, n * KV * 64, 1.0);
      float[] v = RandomData.gaussian(random, n * KV * 64, 1.0);
      a.append(0, k, v, RandomData.range(0, n), n);
      b.append(0, k, v, RandomData.range(0, n), n);
      float[] q = RandomData.gaussian(random, 8 * 64, 3.0);

      // 1. the partial cache holds every entry but the newest, in order
      int[][] all = new int[KV][];
      for (int h = 0; h < KV; h++) {
        all[h] = RandomData.range(0, n - 1);
      }
      a.workingSet(0).gatherPartial(selection(all));
      float[] outPartial = new float[8 * 64];
      float[] outFull = new float[8 * 64];
      AttentionResult rp = a.attend(0, q, 1, new StepPlan.Partial(ScoreRequest.LAST_MAX), outPartial);
      AttentionResult rf = a.attend(0, q, 1, StepPlan.Full.LAST_MAX, outFull);
      assertThat(outPartial).containsExactly(outFull);
      for (int h = 0; h < KV; h++) {
        assertThat(rp.scores().length()).isEqualTo(n);
      }
      float[][] partialScores = {rp.scores().toArray(0), rp.scores().toArray(1)};
      // rf.scores() is the same reused object: read after the full call
      assertThat(rf.scores().toArray(0)).containsExactly(partialScores[0]);
      assertThat(rf.scores().toArray(1)).containsExactly(partialScores[1]);

      // 2. a different subset per head: partial over it == full over a store retained to it + newest
      int[][] subset = new int[KV][];
      int[][] kept = new int[KV][];
      for (int h = 0; h < KV; h++) {
        subset[h] = RandomData.ascendingSubset(random, n - 1, 300);
        kept[h] = Arrays.copyOf(subset[h], 301);
        kept[h][300] = n - 1;
      }
      a.workingSet(0).gatherPartial(selection(subset));
      b.workingSet(0).retain(selection(kept));
      a.attend(0, q, 1, new StepPlan.Partial(ScoreRequest.NONE), outPartial);
      b.attend(0, q, 1, StepPlan.Full.NO_SCORES, outFull);
      assertThat(outPartial).containsExactly(outFull);
    }
  }

  /**
   * The same call gives the same bits from the first (interpreted) execution to the last (compiled
   * by the JIT), alternating partial and full plans: nothing in the kernel may change with the JIT.
   */
  @Test
  void resultsStayBitIdenticalWhileTheJitCompilesTheKernel() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F16, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, 48, 200))) {
      int n = 77;
      cache.append(0, RandomData.gaussian(random, n * KV * 48, 1.0), RandomData.gaussian(random, n * KV * 48, 1.0), RandomData.range(0, n), n);
      int[][] all = {RandomData.range(0, n - 1), RandomData.range(0, n - 1)};
      cache.workingSet(0).gatherPartial(selection(all));
      float[] q = RandomData.gaussian(random, QH * 48, 3.0);
      float[] first = new float[QH * 48];
      float[] firstScores = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, first).scores().toArray(1);
      float[] out = new float[QH * 48];
      for (int i = 0; i < 3000; i++) {
        StepPlan plan = i % 2 == 0 ? new StepPlan.Partial(ScoreRequest.LAST_MAX) : StepPlan.Full.LAST_MAX;
        AttentionResult r = cache.attend(0, q, 1, plan, out);
        if (!Arrays.equals(out, first) || !Arrays.equals(r.scores().toArray(1), firstScores)) {
          throw new AssertionError("call " + i + " (" + plan + ") differs from the first call");
        }
      }
    }
  }

  @Test
  void evictionIsSwapRemoveAndFreesMemory() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(new CacheSpec(2, QH, KV, DIM, 10_000))) {
      appendTokens(cache, null, 0, 0, 1000);
      appendTokens(cache, null, 1, 0, 10);
      WorkingSet ws = cache.workingSet(0);
      long perEntry = (long) KV * DIM * 2 * 4;
      assertThat(cache.stats().residentBytes()).isEqualTo(1010 * perEntry);

      ws.evict(new int[] {3, 999});
      assertThat(ws.length()).isEqualTo(999);
      assertThat(ws.position(0, 3)).isEqualTo(999); // the last entry moved into the freed slot
      assertThat(ws.position(1, 3)).isEqualTo(3);
      assertThat(ws.position(1, 998)).isEqualTo(998);
      assertThat(cache.stats().residentBytes()).isEqualTo(1009 * perEntry);

      int capacityBefore = ((LayerStore) ws).main[0].capacity();
      int[][] keep = new int[KV][];
      keep[0] = RandomData.range(0, 100);
      keep[1] = RandomData.range(899, 100);
      ws.retain(selection(keep));
      assertThat(ws.length()).isEqualTo(100);
      assertThat(ws.position(1, 0)).isEqualTo(899);
      assertThat(cache.stats().residentBytes()).isEqualTo(110 * perEntry);
      assertThat(cache.stats().peakResidentBytes()).isEqualTo(1010 * perEntry);
      // the arrays really shrank
      assertThat(((LayerStore) ws).main[0].capacity()).isLessThan(capacityBefore / 4);
    }
  }

  @Test
  void partialCacheFollowsGatherAppendAndReplace() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F16, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 100))) {
      appendTokens(cache, null, 0, 0, 20);
      WorkingSet ws = cache.workingSet(0);
      ws.gatherPartial(selection(new int[][] {{1, 5, 7}, {0, 2, 19}}));
      assertThat(ws.partialLength()).isEqualTo(3);
      assertThat(ws.partialPosition(0, 1)).isEqualTo(5);
      assertThat(ws.partialPosition(1, 2)).isEqualTo(19);
      assertThat(cache.stats().residentBytes()).isEqualTo(23L * KV * DIM * 2 * 2);

      appendTokens(cache, null, 0, 20, 1);
      ws.appendToPartial(new int[] {-1, -1});
      assertThat(ws.partialLength()).isEqualTo(4);
      assertThat(ws.partialPosition(0, 3)).isEqualTo(20);
      appendTokens(cache, null, 0, 21, 1);
      ws.appendToPartial(new int[] {0, 2});
      assertThat(ws.partialLength()).isEqualTo(4);
      assertThat(ws.partialPosition(0, 0)).isEqualTo(21);
      assertThat(ws.partialPosition(1, 2)).isEqualTo(21);
      assertThat(ws.partialPosition(1, 0)).isEqualTo(0);

      float[] k = new float[DIM];
      float[] v = new float[DIM];
      float[] k2 = new float[DIM];
      float[] v2 = new float[DIM];
      LayerStore store = (LayerStore) ws;
      store.partial[1].read(2, k, v, 0);
      store.main[1].read(21, k2, v2, 0);
      assertThat(k).containsExactly(k2);
      assertThat(v).containsExactly(v2);

      ws.clearPartial();
      assertThat(ws.partialLength()).isZero();
      assertThat(cache.stats().residentBytes()).isEqualTo(22L * KV * DIM * 2 * 2);
      // eviction and retain clear the partial cache too
      ws.gatherPartial(selection(new int[][] {{1}, {2}}));
      ws.evictSlot(0);
      assertThat(ws.partialLength()).isZero();
    }
  }

  @Test
  void invalidArgumentsAreRejectedWithClearMessages() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 100))) {
      appendTokens(cache, null, 0, 0, 10);
      WorkingSet ws = cache.workingSet(0);
      assertThat(cache.workingSet(0)).isSameAs(ws);
      assertThatThrownBy(() -> ws.evict(new int[] {1})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("slotPerHead has 1 entries").hasMessageContaining("2 KV heads");
      assertThatThrownBy(() -> ws.evict(new int[] {1, 10})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("slot 10 of KV head 1");
      assertThat(ws.length()).isEqualTo(10); // nothing evicted by the failed call
      assertThatThrownBy(() -> ws.retain(selection(new int[][] {{1, 2, 3}}))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("selection has 1 KV heads");
      assertThatThrownBy(() -> ws.gatherPartial(selection(new int[][] {{1}, {10}}))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("holds 10 entries");
      assertThatThrownBy(() -> ws.appendToPartial(new int[] {-1, -1})).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("gatherPartial");
      ws.gatherPartial(selection(new int[][] {{1, 2}, {3, 4}}));
      assertThatThrownBy(() -> ws.appendToPartial(new int[] {-1, 0})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-1 for every KV head");
      assertThatThrownBy(() -> ws.appendToPartial(new int[] {2, 0})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("partial slot 2");
      assertThatThrownBy(() -> ws.position(0, 10)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ws.partialPosition(2, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvHead 2");
      assertThatThrownBy(() -> cache.workingSet(1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 1");
    }
  }

  @Test
  void appendingBeyondMaxTokensFailsNamingTheLimit() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 50))) {
      appendTokens(cache, null, 0, 0, 40);
      assertThatThrownBy(() -> appendTokens(cache, null, 0, 40, 11)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxTokens of 50");
      appendTokens(cache, null, 0, 40, 10);
      assertThat(cache.workingSet(0).length()).isEqualTo(50);
      assertThatThrownBy(() -> appendTokens(cache, null, 0, 50, 1)).isInstanceOf(IllegalStateException.class);
      // eviction makes room again
      cache.workingSet(0).evictSlot(0);
      appendTokens(cache, null, 0, 50, 1);
      assertThat(cache.workingSet(0).length()).isEqualTo(50);
    }
  }

  @Test
  void shortArraysAreRejected() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 50))) {
      assertThatThrownBy(() -> cache.append(0, new float[KV * DIM - 1], new float[KV * DIM], new int[1], 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens × kvHeads × headDim");
      assertThatThrownBy(() -> cache.append(0, new float[KV * DIM], new float[KV * DIM], new int[0], 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions");
      appendTokens(cache, null, 0, 0, 3);
      assertThatThrownBy(() -> cache.attend(0, new float[QH * DIM - 1], 1, StepPlan.Full.NO_SCORES, new float[QH * DIM]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queries × queryHeads × headDim");
      assertThatThrownBy(() -> cache.attend(0, new float[QH * DIM * 4], 4, StepPlan.Full.NO_SCORES, new float[QH * DIM * 4]))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("4 queries");
      assertThatThrownBy(() -> cache.attend(0, new float[QH * DIM], 1, StepPlan.Partial.NO_SCORES, new float[QH * DIM]))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("no partial cache");
      cache.workingSet(0).gatherPartial(selection(new int[][] {{0}, {1}}));
      assertThatThrownBy(() -> cache.attend(0, new float[QH * DIM * 2], 2, StepPlan.Partial.NO_SCORES, new float[QH * DIM * 2]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one query");
    }
  }

  @Test
  void nothingIsUsableAfterClose() {
    CpuBackend backend = CpuBackend.create(KvDtype.F32, 2);
    KvCache cache = backend.allocate(new CacheSpec(1, QH, KV, DIM, 50));
    appendTokens(cache, null, 0, 0, 5);
    WorkingSet ws = cache.workingSet(0);
    cache.close();
    cache.close(); // idempotent
    assertThatThrownBy(() -> appendTokens(cache, null, 0, 5, 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> cache.attend(0, new float[QH * DIM], 1, StepPlan.Full.NO_SCORES, new float[QH * DIM]))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(ws::length).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ws.evictSlot(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cache::stats).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.workingSet(0)).isInstanceOf(IllegalStateException.class);
    backend.close();
    backend.close();
    assertThatThrownBy(() -> backend.allocate(new CacheSpec(1, QH, KV, DIM, 50))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backend is closed");
  }

  @Test
  void statsCountAttendedEntriesAndBytes() {
    try (CpuBackend backend = CpuBackend.create(KvDtype.BF16, 1);
        KvCache cache = backend.allocate(new CacheSpec(2, QH, KV, DIM, 100))) {
      appendTokens(cache, null, 0, 0, 30);
      appendTokens(cache, null, 1, 0, 30);
      float[] q = new float[QH * DIM];
      float[] out = new float[QH * DIM];
      cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
      cache.workingSet(1).gatherPartial(selection(new int[][] {{1, 2, 3}, {4, 5, 6}}));
      AttentionResult r = cache.attend(1, q, 1, StepPlan.Partial.NO_SCORES, out);
      assertThat(r.attendedTokens()).isEqualTo(4);
      assertThat(r.hasScores()).isFalse();
      var stats = cache.stats();
      assertThat(stats.attendCalls()).isEqualTo(2);
      assertThat(stats.tokensAttended()).isEqualTo(34);
      assertThat(stats.bytesRead()).isEqualTo(34L * KV * DIM * 2 * 2);
    }
  }
}
