package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;
import org.recycledattention.tests.ReferenceAttention;

/** Working-set operations: slots, positions, memory, and attention after each change. */
class WorkingSetTest {
  private static final int KV_HEADS = 2;
  private static final int GROUP = 2;
  private static final int DIM = 32;

  @RegisterExtension static final SharedBackend backend = new SharedBackend();

  private static KvCache filled(ReferenceAttention ref, Random random, int length, int maxTokens) {
    KvCache cache = backend.allocate(new CacheSpec(1, KV_HEADS * GROUP, KV_HEADS, DIM, maxTokens));
    ref.appendRandom(cache, 0, 100, length, random);
    return cache;
  }

  private static void assertAttendsLike(KvCache cache, ReferenceAttention ref, Random random, boolean partial) {
    float[] q = RandomData.gaussian(random, KV_HEADS * GROUP * DIM, 1);
    float[] out = new float[q.length];
    StepPlan plan = partial ? new StepPlan.Partial(ScoreRequest.LAST_MAX) : StepPlan.Full.LAST_MAX;
    var r = cache.attend(0, q, 1, plan, out);
    ReferenceAttention.Result expected = ref.attend(0, q, 1, plan);
    AttentionTest.assertClose(0, "output", out, expected.output(), AttentionTest.OUT_TOLERANCE);
    AttentionTest.assertScores(0, r.scores(), expected.scores());
  }

  /** The reference the caches of these tests are compared with: two layers, one working set each. */
  private static ReferenceAttention reference() {
    return new ReferenceAttention(new CacheSpec(2, KV_HEADS * GROUP, KV_HEADS, DIM, 1 << 20));
  }

  private static void assertPositions(WorkingSet ws, ReferenceAttention ref) {
    assertThat(ws.length()).isEqualTo(ref.length(0));
    for (int h = 0; h < KV_HEADS; h++) {
      for (int s = 0; s < ref.length(0); s++) {
        assertThat(ws.position(h, s)).as("head %d slot %d", h, s).isEqualTo(ref.position(0, h, s));
      }
    }
  }

  @Test
  void evictionSwapsTheLastEntryIntoTheFreedSlotPerHead() {
    Random random = new Random(1);
    ReferenceAttention ref = reference();
    try (KvCache cache = filled(ref, random, 40, 64)) {
      WorkingSet ws = cache.workingSet(0);
      long before = cache.stats().residentBytes();
      ws.evict(new int[] {3, 17});
      ref.evict(0, new int[] {3, 17});
      assertThat(ws.position(0, 3)).isEqualTo(139); // the last entry (position 100 + 39) moved in
      assertThat(ws.position(1, 3)).isEqualTo(103);
      assertThat(ws.position(1, 17)).isEqualTo(139);
      ws.evictSlot(ws.length() - 1);
      ref.evict(0, new int[] {38, 38});
      assertPositions(ws, ref);
      assertThat(cache.stats().residentBytes()).isEqualTo(before - 2 * 2L * KV_HEADS * DIM * Float.BYTES);
      assertAttendsLike(cache, ref, random, false);
    }
  }

  @Test
  void retainKeepsTheSelectionInOrderAndGivesMemoryBack() {
    Random random = new Random(2);
    ReferenceAttention ref = reference();
    try (KvCache cache = filled(ref, random, 1000, 1000)) {
      OnnxKvCache onnx = (OnnxKvCache) cache;
      long reserved = onnx.reservedBytes();
      long resident = cache.stats().residentBytes();
      Selection kept = RandomData.selection(random, KV_HEADS, 1000, 50);
      cache.workingSet(0).retain(kept);
      ref.retain(0, kept);
      assertPositions(cache.workingSet(0), ref);
      assertThat(cache.stats().residentBytes()).isEqualTo(resident * 50 / 1000);
      assertThat(cache.stats().peakResidentBytes()).isEqualTo(resident);
      assertThat(onnx.reservedBytes()).as("capacity shrinks below a quarter").isLessThan(reserved / 4);
      assertAttendsLike(cache, ref, random, false);
      // appending after a shrink grows again and keeps the kept entries
      ref.appendRandom(cache, 0, 2000, 3, random);
      assertPositions(cache.workingSet(0), ref);
      assertAttendsLike(cache, ref, random, false);
    }
  }

  @Test
  void manyEvictionsKeepAttentionExact() {
    Random random = new Random(3);
    ReferenceAttention ref = reference();
    try (KvCache cache = filled(ref, random, 300, 300)) {
      WorkingSet ws = cache.workingSet(0);
      while (ws.length() > 5) {
        int[] slots = {random.nextInt(ws.length()), random.nextInt(ws.length())};
        ws.evict(slots);
        ref.evict(0, slots);
      }
      assertPositions(ws, ref);
      assertAttendsLike(cache, ref, random, false);
      assertThat(((OnnxKvCache) cache).reservedBytes()).isLessThanOrEqualTo(2L * OnnxLayer.MIN_CAPACITY * KV_HEADS * DIM * Float.BYTES);
    }
  }

  @Test
  void partialCacheGathersAppendsAndReplaces() {
    Random random = new Random(4);
    ReferenceAttention ref = reference();
    try (KvCache cache = filled(ref, random, 120, 200)) {
      WorkingSet ws = cache.workingSet(0);
      long mainBytes = cache.stats().residentBytes();
      Selection gathered = RandomData.selection(random, KV_HEADS, 120, 20);
      ws.gatherPartial(gathered);
      ref.gatherPartial(0, gathered);
      assertThat(ws.partialLength()).isEqualTo(20);
      assertThat(ws.partialPosition(1, 7)).isEqualTo(100 + gathered.slots(1)[7]);
      long perEntry = 2L * KV_HEADS * DIM * Float.BYTES;
      assertThat(cache.stats().residentBytes()).isEqualTo(mainBytes + 20 * perEntry);
      // decode steps: append a token, attend partial, then append it to the partial cache or replace a slot
      for (int step = 0; step < 40; step++) {
        ref.appendRandom(cache, 0, 220 + step, 1, random);
        assertAttendsLike(cache, ref, random, true);
        int[] replace = step % 3 == 0
            ? new int[] {random.nextInt(ws.partialLength()), random.nextInt(ws.partialLength())}
            : new int[] {-1, -1};
        ws.appendToPartial(replace);
        ref.appendToPartial(0, replace);
      }
      assertThat(ws.partialLength()).isEqualTo(ref.partialLength(0));
      for (int h = 0; h < KV_HEADS; h++) {
        for (int s = 0; s < ws.partialLength(); s++) {
          assertThat(ws.partialPosition(h, s)).isEqualTo(ref.partialPosition(0, h, s));
        }
      }
      assertAttendsLike(cache, ref, random, false);
      long withPartial = cache.stats().residentBytes();
      ws.clearPartial();
      assertThat(ws.partialLength()).isZero();
      assertThat(cache.stats().residentBytes()).isEqualTo(withPartial - (long) ref.partialLength(0) * perEntry);
    }
  }

  @Test
  void evictionAndRetainClearThePartialCache() {
    Random random = new Random(5);
    ReferenceAttention ref = reference();
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
    ReferenceAttention ref = reference();
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
