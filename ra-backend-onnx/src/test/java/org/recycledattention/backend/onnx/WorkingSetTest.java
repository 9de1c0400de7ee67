package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;

/** Working-set operations: slots, positions, memory, and attention after each change. */
class WorkingSetTest {
  private static final int KV_HEADS = 2;
  private static final int GROUP = 2;
  private static final int DIM = 32;

  private static OnnxBackend backend;

  @BeforeAll
  static void start() {
    backend = OnnxBackend.create(new OnnxSettings(1, OnnxSettings.ExecutionProvider.CPU, OnnxSettings.Optimization.ALL));
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  private static KvCache filled(Reference ref, Random random, int length, int maxTokens) {
    KvCache cache = backend.allocate(new CacheSpec(1, KV_HEADS * GROUP, KV_HEADS, DIM, maxTokens));
    float[] k = Reference.gaussian(random, length * KV_HEADS * DIM, 1);
    float[] v = Reference.gaussian(random, length * KV_HEADS * DIM, 1);
    int[] pos = Reference.range(100, length);
    cache.append(0, k, v, pos, length);
    ref.append(k, v, pos, length);
    return cache;
  }

  private static void assertAttendsLike(KvCache cache, Reference ref, Random random, boolean partial) {
    float[] q = Reference.gaussian(random, KV_HEADS * GROUP * DIM, 1);
    float[] out = new float[q.length];
    StepPlan plan = partial ? new StepPlan.Partial(ScoreRequest.LAST_MAX) : StepPlan.Full.LAST_MAX;
    var r = cache.attend(0, q, 1, plan, out);
    Reference.Result expected = ref.attend(q, 1, partial);
    AttentionTest.assertClose(0, "output", out, expected.out(), AttentionTest.OUT_TOLERANCE);
    AttentionTest.assertScores(0, r.scores(), Reference.reduce(expected.probs()[0], KV_HEADS, GroupReduction.MAX));
  }

  private static void assertPositions(WorkingSet ws, Reference ref) {
    assertThat(ws.length()).isEqualTo(ref.length());
    for (int h = 0; h < KV_HEADS; h++) {
      for (int s = 0; s < ref.length(); s++) {
        assertThat(ws.position(h, s)).as("head %d slot %d", h, s).isEqualTo(ref.main.get(h).get(s).position());
      }
    }
  }

  @Test
  void evictionSwapsTheLastEntryIntoTheFreedSlotPerHead() {
    Random random = new Random(1);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    try (KvCache cache = filled(ref, random, 40, 64)) {
      WorkingSet ws = cache.workingSet(0);
      long before = cache.stats().residentBytes();
      ws.evict(new int[] {3, 17});
      ref.evict(new int[] {3, 17});
      assertThat(ws.position(0, 3)).isEqualTo(139); // the last entry (position 100 + 39) moved in
      assertThat(ws.position(1, 3)).isEqualTo(103);
      assertThat(ws.position(1, 17)).isEqualTo(139);
      ws.evictSlot(ws.length() - 1);
      ref.evict(new int[] {38, 38});
      assertPositions(ws, ref);
      assertThat(cache.stats().residentBytes()).isEqualTo(before - 2 * 2L * KV_HEADS * DIM * Float.BYTES);
      assertAttendsLike(cache, ref, random, false);
    }
  }

  @Test
  void retainKeepsTheSelectionInOrderAndGivesMemoryBack() {
    Random random = new Random(2);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    try (KvCache cache = filled(ref, random, 1000, 1000)) {
      OnnxKvCache onnx = (OnnxKvCache) cache;
      long reserved = onnx.reservedBytes();
      long resident = cache.stats().residentBytes();
      int[][] slots = {Reference.ascendingSubset(random, 1000, 50), Reference.ascendingSubset(random, 1000, 50)};
      cache.workingSet(0).retain(new Selection(slots, new float[KV_HEADS][50]));
      ref.retain(slots);
      assertPositions(cache.workingSet(0), ref);
      assertThat(cache.stats().residentBytes()).isEqualTo(resident * 50 / 1000);
      assertThat(cache.stats().peakResidentBytes()).isEqualTo(resident);
      assertThat(onnx.reservedBytes()).as("capacity shrinks below a quarter").isLessThan(reserved / 4);
      assertAttendsLike(cache, ref, random, false);
      // appending after a shrink grows again and keeps the kept entries
      float[] k = Reference.gaussian(random, 3 * KV_HEADS * DIM, 1);
      float[] v = Reference.gaussian(random, 3 * KV_HEADS * DIM, 1);
      cache.append(0, k, v, new int[] {2000, 2001, 2002}, 3);
      ref.append(k, v, new int[] {2000, 2001, 2002}, 3);
      assertPositions(cache.workingSet(0), ref);
      assertAttendsLike(cache, ref, random, false);
    }
  }

  @Test
  void manyEvictionsKeepAttentionExact() {
    Random random = new Random(3);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    try (KvCache cache = filled(ref, random, 300, 300)) {
      WorkingSet ws = cache.workingSet(0);
      while (ws.length() > 5) {
        int[] slots = {random.nextInt(ws.length()), random.nextInt(ws.length())};
        ws.evict(slots);
        ref.evict(slots);
      }
      assertPositions(ws, ref);
      assertAttendsLike(cache, ref, random, false);
      assertThat(((OnnxKvCache) cache).reservedBytes()).isLessThanOrEqualTo(2L * OnnxLayer.MIN_CAPACITY * KV_HEADS * DIM * Float.BYTES);
    }
  }

  @Test
  void partialCacheGathersAppendsAndReplaces() {
    Random random = new Random(4);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    try (KvCache cache = filled(ref, random, 120, 200)) {
      WorkingSet ws = cache.workingSet(0);
      long mainBytes = cache.stats().residentBytes();
      int[][] slots = {Reference.ascendingSubset(random, 120, 20), Reference.ascendingSubset(random, 120, 20)};
      ws.gatherPartial(new Selection(slots, new float[KV_HEADS][20]));
      ref.gather(slots);
      assertThat(ws.partialLength()).isEqualTo(20);
      assertThat(ws.partialPosition(1, 7)).isEqualTo(100 + slots[1][7]);
      long perEntry = 2L * KV_HEADS * DIM * Float.BYTES;
      assertThat(cache.stats().residentBytes()).isEqualTo(mainBytes + 20 * perEntry);
      // decode steps: append a token, attend partial, then append it to the partial cache or replace a slot
      for (int step = 0; step < 40; step++) {
        float[] k = Reference.gaussian(random, KV_HEADS * DIM, 1);
        float[] v = Reference.gaussian(random, KV_HEADS * DIM, 1);
        cache.append(0, k, v, new int[] {220 + step}, 1);
        ref.append(k, v, new int[] {220 + step}, 1);
        assertAttendsLike(cache, ref, random, true);
        int[] replace = step % 3 == 0
            ? new int[] {random.nextInt(ws.partialLength()), random.nextInt(ws.partialLength())}
            : new int[] {-1, -1};
        ws.appendToPartial(replace);
        ref.appendToPartial(replace);
      }
      assertThat(ws.partialLength()).isEqualTo(ref.partial.getFirst().size());
      for (int h = 0; h < KV_HEADS; h++) {
        for (int s = 0; s < ws.partialLength(); s++) {
          assertThat(ws.partialPosition(h, s)).isEqualTo(ref.partial.get(h).get(s).position());
        }
      }
      assertAttendsLike(cache, ref, random, false);
      long withPartial = cache.stats().residentBytes();
      ws.clearPartial();
      assertThat(ws.partialLength()).isZero();
      assertThat(cache.stats().residentBytes()).isEqualTo(withPartial - (long) ref.partial.getFirst().size() * perEntry);
    }
  }

  @Test
  void evictionAndRetainClearThePartialCache() {
    Random random = new Random(5);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    try (KvCache cache = filled(ref, random, 30, 64)) {
      WorkingSet ws = cache.workingSet(0);
      int[][] slots = {{1, 2, 3}, {4, 5, 6}};
      ws.gatherPartial(new Selection(slots, new float[2][3]));
      ws.evictSlot(0);
      assertThat(ws.partialLength()).isZero();
      ws.gatherPartial(new Selection(slots, new float[2][3]));
      ws.retain(new Selection(slots, new float[2][3]));
      assertThat(ws.partialLength()).isZero();
      assertThat(ws.length()).isEqualTo(3);
      assertThat(cache.stats().residentBytes()).isEqualTo(3L * 2 * KV_HEADS * DIM * Float.BYTES);
    }
  }

  @Test
  void misuseFailsWithMessagesThatSayWhatToDo() {
    Random random = new Random(6);
    Reference ref = new Reference(KV_HEADS, KV_HEADS * GROUP, DIM);
    KvCache cache = filled(ref, random, 8, 8);
    float[] q = new float[KV_HEADS * GROUP * DIM];
    float[] out = new float[q.length];
    WorkingSet ws = cache.workingSet(0);
    assertThatThrownBy(() -> cache.attend(0, q, 1, StepPlan.Partial.NO_SCORES, out))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gatherPartial");
    assertThatThrownBy(() -> cache.append(0, new float[KV_HEADS * DIM], new float[KV_HEADS * DIM], new int[] {9}, 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> cache.append(0, new float[3], new float[3], new int[] {9}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens × kvHeads × headDim");
    assertThatThrownBy(() -> cache.attend(0, new float[q.length * 9], 9, StepPlan.Full.NO_SCORES, new float[q.length * 9]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("append the step's keys");
    ws.gatherPartial(new Selection(new int[][] {{0}, {1}}, new float[2][1]));
    assertThatThrownBy(() -> cache.attend(0, new float[q.length * 2], 2, StepPlan.Partial.NO_SCORES, new float[q.length * 2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one query");
    assertThatThrownBy(() -> ws.appendToPartial(new int[] {-1, 0})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1 for every");
    assertThatThrownBy(() -> ws.evict(new int[] {8, 0})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot evict slot 8");
    assertThatThrownBy(() -> cache.attend(1, q, 1, StepPlan.Full.NO_SCORES, out)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 1");
    cache.close();
    cache.close(); // idempotent
    assertThatThrownBy(() -> cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(ws::length).isInstanceOf(IllegalStateException.class);
  }
}
