package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;

/**
 * The selection graph (max-pool, TopK inside ONNX Runtime, indices sorted on the host) against
 * {@link ScoreMath#topK}, the reference definition, on the very same score values.
 */
class SelectionTest {
  @RegisterExtension static final SharedBackend backend = new SharedBackend();

  /** Scores with the given values, written where attention would write them. */
  private static Scores scores(KvCache cache, int layer, float[][] values) {
    OnnxKvCache c = (OnnxKvCache) cache;
    OnnxLayer l = (OnnxLayer) cache.workingSet(layer);
    int heads = values.length;
    int n = values[0].length;
    MemorySegment s = l.scores.ensure((long) heads * n * Float.BYTES);
    for (int h = 0; h < heads; h++) {
      MemorySegment.copy(values[h], 0, s, ValueLayout.JAVA_FLOAT, (long) h * n * Float.BYTES, n);
    }
    return new OnnxScores(c, l, heads, n);
  }

  @Test
  void randomScoresWithManyTiesSelectExactlyWhatScoreMathSelects() {
    long seed = 4242L;
    Random random = new Random(seed);
    float[] levels = {0f, 0.125f, 0.25f, 0.5f, 1f};
    int[] kernels = {1, 3, 5, 7};
    try (KvCache cache = backend.allocate(new CacheSpec(1, 3, 3, 8, 16))) {
      for (int trial = 0; trial < 300; trial++) {
        int heads = 1 + random.nextInt(3);
        int n = 1 + random.nextInt(trial % 10 == 0 ? 2000 : 200);
        boolean tied = trial % 2 == 0;
        float[][] values = new float[heads][n];
        for (int h = 0; h < heads; h++) {
          for (int j = 0; j < n; j++) {
            values[h][j] = tied ? levels[random.nextInt(levels.length)] : (float) random.nextDouble();
          }
        }
        int k = random.nextInt(n + 6);
        int kernel = kernels[random.nextInt(kernels.length)];
        int keepRecent = switch (random.nextInt(5)) {
          case 0 -> 0;
          case 1 -> 1 + random.nextInt(4);
          case 2 -> k;
          case 3 -> k + 2;
          default -> random.nextInt(n + 1);
        };
        Scores s = scores(cache, 0, values);
        Selection expected = ScoreMath.topK(s, k, kernel, keepRecent);
        Selection actual = s.topK(k, kernel, keepRecent);
        assertThat(actual).as("seed %d trial %d: heads=%d n=%d k=%d kernel=%d keepRecent=%d", seed, trial, heads, n, k, kernel, keepRecent)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void tiesAtTheCutGoToTheLowerSlot() {
    try (KvCache cache = backend.allocate(new CacheSpec(1, 1, 1, 8, 16))) {
      // slots 2, 4, 5, 7, 9 tie at the top; K = 3 with nothing forced recent takes 2, 4, 5
      float[] row = {0.1f, 0.2f, 0.9f, 0.3f, 0.9f, 0.9f, 0.0f, 0.9f, 0.1f, 0.9f};
      Selection s = scores(cache, 0, new float[][] {row}).topK(3, 1, 0);
      assertThat(s.slots(0)).containsExactly(2, 4, 5);
      assertThat(s.scores(0)).containsExactly(0.9f, 0.9f, 0.9f);
      // keepRecent = 1 forces slot 9 and leaves two picks: 2 and 4
      Selection recent = scores(cache, 0, new float[][] {row}).topK(3, 1, 1);
      assertThat(recent.slots(0)).containsExactly(2, 4, 9);
    }
  }

  @Test
  void uniformAttentionTiesEverywhereAndKeepsTheLowestSlots() {
    int dim = 16;
    int n = 50;
    try (KvCache cache = backend.allocate(new CacheSpec(1, 2, 1, dim, n))) {
      float[] k = new float[n * dim]; // every key equal: every probability is 1/n
      float[] v = RandomData.gaussian(new Random(3), n * dim, 1);
      cache.append(0, k, v, RandomData.range(0, n), n);
      AttentionResult r = cache.attend(0, RandomData.gaussian(new Random(4), 2 * dim, 1), 1, StepPlan.Full.LAST_MAX, new float[2 * dim]);
      float[] p = r.scores().toArray(0);
      assertThat(p).containsOnly(p[0]);
      Selection s = r.scores().topK(10, 5, 2);
      assertThat(s).isEqualTo(ScoreMath.topK(r.scores(), 10, 5, 2));
      assertThat(s.slots(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 48, 49);
    }
  }

  @Test
  void nanRanksBelowEveryNumber() {
    try (KvCache cache = backend.allocate(new CacheSpec(1, 1, 1, 8, 16))) {
      float[] row = {Float.NaN, 0.3f, Float.NaN, 0.1f, 0.2f, Float.NaN, 0.05f};
      Scores s = scores(cache, 0, new float[][] {row});
      Selection expected = ScoreMath.topK(s, 3, 1, 0);
      assertThat(s.topK(3, 1, 0)).isEqualTo(expected);
      assertThat(expected.slots(0)).containsExactly(1, 3, 4);
    }
  }

  @Test
  void kOfZeroSelectsNothingAndKBeyondTheLengthSelectsEverything() {
    try (KvCache cache = backend.allocate(new CacheSpec(1, 2, 2, 8, 16))) {
      float[][] values = {{0.5f, 0.1f, 0.4f}, {0.2f, 0.3f, 0.5f}};
      Selection none = scores(cache, 0, values).topK(0, 3, 0);
      assertThat(none.size()).isZero();
      assertThat(none.kvHeads()).isEqualTo(2);
      Selection all = scores(cache, 0, values).topK(10, 3, 1);
      assertThat(all.slots(0)).containsExactly(0, 1, 2);
      assertThat(all.slots(1)).containsExactly(0, 1, 2);
      assertThat(all).isEqualTo(ScoreMath.topK(scores(cache, 0, values), 10, 3, 1));
    }
  }

  @Test
  void rejectsAnEvenPoolKernelLikeScoreMath() {
    try (KvCache cache = backend.allocate(new CacheSpec(1, 1, 1, 8, 16))) {
      Scores s = scores(cache, 0, new float[][] {{1f, 2f}});
      assertThatThrownBy(() -> s.topK(1, 4, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("odd");
    }
  }

  @Test
  void scoresGoStaleWhenTheLayerChanges() {
    int dim = 8;
    Random random = new Random(11);
    try (KvCache cache = backend.allocate(new CacheSpec(2, 1, 1, dim, 16))) {
      for (int l = 0; l < 2; l++) {
        cache.append(l, RandomData.gaussian(random, 4 * dim, 1), RandomData.gaussian(random, 4 * dim, 1), RandomData.range(0, 4), 4);
      }
      float[] q = RandomData.gaussian(random, dim, 1);
      Scores first = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, new float[dim]).scores();
      Scores other = cache.attend(1, q, 1, StepPlan.Full.LAST_MAX, new float[dim]).scores();
      assertThat(first.toArray(0)).hasSize(4); // another layer's call leaves it valid
      cache.append(0, RandomData.gaussian(random, dim, 1), RandomData.gaussian(random, dim, 1), new int[] {4}, 1);
      assertThatThrownBy(() -> first.toArray(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("stale");
      assertThatThrownBy(() -> first.topK(2, 1, 0)).isInstanceOf(IllegalStateException.class);
      assertThat(other.topK(2, 1, 0).size()).isEqualTo(2);
    }
  }
}
