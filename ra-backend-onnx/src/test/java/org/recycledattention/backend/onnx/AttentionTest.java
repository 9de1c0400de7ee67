package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

/** Attention outputs and scores against the double-precision {@link Reference}. */
class AttentionTest {
  static final double OUT_TOLERANCE = 1e-4;
  static final double SCORE_TOLERANCE = 2e-5;

  private static OnnxBackend backend;

  @BeforeAll
  static void start() {
    backend = OnnxBackend.create(new OnnxSettings(1, OnnxSettings.ExecutionProvider.CPU, OnnxSettings.Optimization.ALL));
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

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
      Reference ref = new Reference(kvHeads, queryHeads, dim);
      float[] k = Reference.gaussian(random, length * kvHeads * dim, 1.0);
      float[] v = Reference.gaussian(random, length * kvHeads * dim, 1.0);
      int[] pos = Reference.range(0, length);
      cache.append(1, k, v, pos, length);
      ref.append(k, v, pos, length);
      float[] q = Reference.gaussian(random, queryHeads * dim, 2.0);
      Reference.Result expected = ref.attend(q, 1, false);
      float[] out = new float[queryHeads * dim];
      AttentionResult none = cache.attend(1, q, 1, StepPlan.Full.NO_SCORES, out);
      assertThat(none.hasScores()).isFalse();
      assertThat(none.attendedTokens()).isEqualTo(length);
      assertClose(seed, "output", out, expected.out(), OUT_TOLERANCE);
      for (GroupReduction reduction : GroupReduction.values()) {
        java.util.Arrays.fill(out, Float.NaN);
        AttentionResult r = cache.attend(1, q, 1, new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction)), out);
        assertClose(seed, "output", out, expected.out(), OUT_TOLERANCE);
        assertScores(seed, r.scores(), Reference.reduce(expected.probs()[0], kvHeads, reduction));
        // SUM over one query is the last query's scores
        AttentionResult sum = cache.attend(1, q, 1, new StepPlan.Full(new ScoreRequest(ScoreMode.SUM, reduction)), out);
        assertScores(seed, sum.scores(), Reference.reduce(expected.probs()[0], kvHeads, reduction));
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
      Reference ref = new Reference(kvHeads, queryHeads, dim);
      if (before > 0) {
        float[] k0 = Reference.gaussian(random, before * kvHeads * dim, 1.0);
        float[] v0 = Reference.gaussian(random, before * kvHeads * dim, 1.0);
        cache.append(0, k0, v0, Reference.range(0, before), before);
        ref.append(k0, v0, Reference.range(0, before), before);
      }
      float[] k = Reference.gaussian(random, queries * kvHeads * dim, 1.0);
      float[] v = Reference.gaussian(random, queries * kvHeads * dim, 1.0);
      cache.append(0, k, v, Reference.range(before, queries), queries);
      ref.append(k, v, Reference.range(before, queries), queries);
      float[] q = Reference.gaussian(random, queries * queryHeads * dim, 2.0);
      Reference.Result expected = ref.attend(q, queries, false);
      for (ScoreMode mode : ScoreMode.values()) {
        for (GroupReduction reduction : GroupReduction.values()) {
          float[] out = new float[queries * queryHeads * dim];
          AttentionResult r = cache.attend(0, q, queries, new StepPlan.Full(new ScoreRequest(mode, reduction)), out);
          assertThat(r.attendedTokens()).isEqualTo(total);
          assertClose(seed, "output", out, expected.out(), OUT_TOLERANCE);
          switch (mode) {
            case NONE -> assertThat(r.scores()).isNull();
            case LAST_QUERY -> assertScores(seed, r.scores(), Reference.reduce(expected.probs()[queries - 1], kvHeads, reduction));
            case SUM -> assertScores(seed, r.scores(), Reference.reduceSum(expected.probs(), kvHeads, reduction));
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
      Reference ref = new Reference(kvHeads, queryHeads, dim);
      float[] k = Reference.gaussian(random, length * kvHeads * dim, 1.0);
      float[] v = Reference.gaussian(random, length * kvHeads * dim, 1.0);
      cache.append(0, k, v, Reference.range(0, length), length);
      ref.append(k, v, Reference.range(0, length), length);
      int budget = 1 + random.nextInt(length);
      int[][] slots = new int[kvHeads][];
      float[][] scores = new float[kvHeads][budget];
      for (int h = 0; h < kvHeads; h++) {
        slots[h] = Reference.ascendingSubset(random, length, budget);
      }
      cache.workingSet(0).gatherPartial(new Selection(slots, scores));
      ref.gather(slots);
      // the current token arrives after the gather
      float[] k1 = Reference.gaussian(random, kvHeads * dim, 1.0);
      float[] v1 = Reference.gaussian(random, kvHeads * dim, 1.0);
      cache.append(0, k1, v1, new int[] {length}, 1);
      ref.append(k1, v1, new int[] {length}, 1);
      float[] q = Reference.gaussian(random, queryHeads * dim, 2.0);
      Reference.Result expected = ref.attend(q, 1, true);
      float[] out = new float[queryHeads * dim];
      AttentionResult r = cache.attend(0, q, 1, new StepPlan.Partial(ScoreRequest.LAST_MAX), out);
      assertThat(r.attendedTokens()).isEqualTo(budget + 1);
      assertClose(seed, "partial output", out, expected.out(), OUT_TOLERANCE);
      assertScores(seed, r.scores(), Reference.reduce(expected.probs()[0], kvHeads, GroupReduction.MAX));
      // gathering everything makes Partial equal to Full
      int all = length;
      int[][] every = new int[kvHeads][];
      for (int h = 0; h < kvHeads; h++) {
        every[h] = Reference.range(0, all);
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
      cache.append(0, Reference.gaussian(random, 10 * kvHeads * dim, 1), Reference.gaussian(random, 10 * kvHeads * dim, 1), Reference.range(0, 10), 10);
      cache.append(1, Reference.gaussian(random, 6 * kvHeads * dim, 1), Reference.gaussian(random, 6 * kvHeads * dim, 1), Reference.range(0, 6), 6);
      long perEntry = 2L * kvHeads * dim * Float.BYTES;
      assertThat(cache.stats().residentBytes()).isEqualTo(16 * perEntry);
      float[] q = Reference.gaussian(random, 4 * dim, 1);
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
