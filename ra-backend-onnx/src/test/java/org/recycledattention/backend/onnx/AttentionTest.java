package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;
import org.recycledattention.tests.ReferenceAttention;

/** Attention outputs and scores against the conformance kit's double-precision {@link ReferenceAttention}. */
class AttentionTest {
  static final double OUT_TOLERANCE = 1e-4;
  static final double SCORE_TOLERANCE = 2e-5;

  @RegisterExtension static final SharedBackend backend = new SharedBackend();

  static Stream<Arguments> shapes() {
    long seed = 20261129L;
    Random random = new Random(seed);
    Stream.Builder<Arguments> b = Stream.builder();
    int i = 0;
    for (int group : new int[] {1, 2, 4}) {
      for (int dim : new int[] {32, 64, 128}) {
        int kvHeads = 1 + random.nextInt(3);
        int length = i % 3 == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(2000);
        b.add(Arguments.of(seed + i, kvHeads, group, dim, length));
        i++;
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "seed={0} kvHeads={1} group={2} dim={3} length={4}")
  @MethodSource("shapes")
  void singleQueryMatchesTheReference(long seed, int kvHeads, int group, int dim, int length) {
    Random random = new Random(seed);
    int queryHeads = kvHeads * group;
    try (KvCache cache = backend.allocate(new CacheSpec(2, queryHeads, kvHeads, dim, length))) {
      ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, queryHeads, kvHeads, dim, 1 << 20));
      ref.appendRandom(cache, 1, 0, length, random);
      float[] q = RandomData.gaussian(random, queryHeads * dim, 2.0);
      ReferenceAttention.Result expected = ref.attend(1, q, 1, StepPlan.Full.NO_SCORES);
      float[] out = new float[queryHeads * dim];
      AttentionResult none = cache.attend(1, q, 1, StepPlan.Full.NO_SCORES, out);
      assertThat(none.hasScores()).isFalse();
      assertThat(none.attendedTokens()).isEqualTo(length);
      assertClose(seed, "output", out, expected.output(), OUT_TOLERANCE);
      for (GroupReduction reduction : GroupReduction.values()) {
        java.util.Arrays.fill(out, Float.NaN);
        StepPlan last = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction));
        AttentionResult r = cache.attend(1, q, 1, last, out);
        assertClose(seed, "output", out, expected.output(), OUT_TOLERANCE);
        double[][] scores = ref.attend(1, q, 1, last).scores();
        assertScores(seed, r.scores(), scores);
        // SUM over one query is the last query's scores
        AttentionResult sum = cache.attend(1, q, 1, new StepPlan.Full(new ScoreRequest(ScoreMode.SUM, reduction)), out);
        assertScores(seed, sum.scores(), scores);
      }
    }
  }

  @ParameterizedTest(name = "seed={0} kvHeads={1} group={2} dim={3} length={4}")
  @MethodSource("shapes")
  void causalMultiQueryMatchesTheReference(long seed, int kvHeads, int group, int dim, int length) {
    Random random = new Random(seed);
    int queryHeads = kvHeads * group;
    int total = Math.min(length, 300) + 1;
    int queries = 1 + random.nextInt(Math.min(total, 24));
    int before = total - queries;
    try (KvCache cache = backend.allocate(new CacheSpec(1, queryHeads, kvHeads, dim, total))) {
      ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, queryHeads, kvHeads, dim, 1 << 20));
      if (before > 0) {
        ref.appendRandom(cache, 0, 0, before, random);
      }
      ref.appendRandom(cache, 0, before, queries, random);
      float[] q = RandomData.gaussian(random, queries * queryHeads * dim, 2.0);
      for (ScoreMode mode : ScoreMode.values()) {
        for (GroupReduction reduction : GroupReduction.values()) {
          float[] out = new float[queries * queryHeads * dim];
          StepPlan plan = new StepPlan.Full(new ScoreRequest(mode, reduction));
          AttentionResult r = cache.attend(0, q, queries, plan, out);
          ReferenceAttention.Result expected = ref.attend(0, q, queries, plan);
          assertThat(r.attendedTokens()).isEqualTo(total);
          assertClose(seed, "output", out, expected.output(), OUT_TOLERANCE);
          if (mode == ScoreMode.NONE) {
            assertThat(r.scores()).isNull();
          } else {
            assertScores(seed, r.scores(), expected.scores());
          }
          if (mode == ScoreMode.NONE) {
            break;
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "seed={0} kvHeads={1} group={2} dim={3} length={4}")
  @MethodSource("shapes")
  void partialAttendsTheGatheredEntriesAndTheCurrentToken(long seed, int kvHeads, int group, int dim, int length) {
    Random random = new Random(seed);
    int queryHeads = kvHeads * group;
    try (KvCache cache = backend.allocate(new CacheSpec(1, queryHeads, kvHeads, dim, length + 1))) {
      ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, queryHeads, kvHeads, dim, 1 << 20));
      ref.appendRandom(cache, 0, 0, length, random);
      int budget = 1 + random.nextInt(length);
      Selection gathered = RandomData.selection(random, kvHeads, length, budget);
      cache.workingSet(0).gatherPartial(gathered);
      ref.gatherPartial(0, gathered);
      // the current token arrives after the gather
      ref.appendRandom(cache, 0, length, 1, random);
      float[] q = RandomData.gaussian(random, queryHeads * dim, 2.0);
      ReferenceAttention.Result expected = ref.attend(0, q, 1, new StepPlan.Partial(ScoreRequest.LAST_MAX));
      float[] out = new float[queryHeads * dim];
      AttentionResult r = cache.attend(0, q, 1, new StepPlan.Partial(ScoreRequest.LAST_MAX), out);
      assertThat(r.attendedTokens()).isEqualTo(budget + 1);
      assertClose(seed, "partial output", out, expected.output(), OUT_TOLERANCE);
      assertScores(seed, r.scores(), expected.scores());
      // gathering everything makes Partial equal to Full
      int all = length;
      int[][] every = new int[kvHeads][];
      for (int h = 0; h < kvHeads; h++) {
        every[h] = RandomData.range(0, all);
      }
      cache.workingSet(0).gatherPartial(new Selection(every, new float[kvHeads][all]));
      float[] partialOut = new float[queryHeads * dim];
      float[] fullOut = new float[queryHeads * dim];
      cache.attend(0, q, 1, StepPlan.Partial.NO_SCORES, partialOut);
      cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, fullOut);
      for (int i = 0; i < fullOut.length; i++) {
        assertThat((double) partialOut[i]).as("seed %d: element %d", seed, i).isCloseTo(fullOut[i], org.assertj.core.api.Assertions.within(1e-5));
      }
    }
  }

  @Test
  void statsCountWhatWasAttended() {
    Random random = new Random(7);
    int kvHeads = 2;
    int dim = 32;
    try (KvCache cache = backend.allocate(new CacheSpec(2, 4, kvHeads, dim, 64))) {
      cache.append(0, RandomData.gaussian(random, 10 * kvHeads * dim, 1), RandomData.gaussian(random, 10 * kvHeads * dim, 1), RandomData.range(0, 10), 10);
      cache.append(1, RandomData.gaussian(random, 6 * kvHeads * dim, 1), RandomData.gaussian(random, 6 * kvHeads * dim, 1), RandomData.range(0, 6), 6);
      long perEntry = 2L * kvHeads * dim * Float.BYTES;
      assertThat(cache.stats().residentBytes()).isEqualTo(16 * perEntry);
      float[] q = RandomData.gaussian(random, 4 * dim, 1);
      float[] out = new float[4 * dim];
      cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
      cache.attend(1, q, 1, StepPlan.Full.NO_SCORES, out);
      var stats = cache.stats();
      assertThat(stats.attendCalls()).isEqualTo(2);
      assertThat(stats.tokensAttended()).isEqualTo(16);
      assertThat(stats.bytesRead()).isEqualTo(16 * perEntry);
      assertThat(stats.peakResidentBytes()).isEqualTo(16 * perEntry);
    }
  }

  static void assertClose(long seed, String what, float[] actual, double[] expected, double tolerance) {
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
        fail("seed " + seed + ": " + what + " element " + i + " is " + actual[i] + ", reference " + expected[i] + " (tolerance " + tolerance + ")");
      }
    }
  }

  static void assertScores(long seed, Scores scores, double[][] expected) {
    assertThat(scores).as("seed %d: scores", seed).isNotNull();
    assertThat(scores.kvHeads()).isEqualTo(expected.length);
    assertThat(scores.length()).isEqualTo(expected[0].length);
    for (int h = 0; h < expected.length; h++) {
      assertClose(seed, "score of KV head " + h, scores.toArray(h), expected[h], SCORE_TOLERANCE);
    }
  }
}
