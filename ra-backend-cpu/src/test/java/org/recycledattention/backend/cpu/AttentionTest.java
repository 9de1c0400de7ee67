package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.RandomData;
import org.recycledattention.tests.ReferenceAttention;

/** Attention output and scores against the conformance kit's double-precision {@link ReferenceAttention}. */
class AttentionTest {
  static final double F32_TOLERANCE = 2e-5;
  static final double HALF_TOLERANCE = 2e-5; // against the reference on the stored (rounded) values

  static Stream<Arguments> shapes() {
    long seed = 20261129L;
    SplittableRandom random = new SplittableRandom(seed);
    int[] groups = {1, 2, 4};
    int[] dims = {32, 48, 64, 128};
    KvDtype[] dtypes = KvDtype.values();
    Stream.Builder<Arguments> b = Stream.builder();
    int i = 0;
    for (int group : groups) {
      for (int dim : dims) {
        int kvHeads = 1 + random.nextInt(3);
        int length = i % 4 == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(2000);
        b.add(Arguments.of(seed + i, kvHeads, group, dim, length, dtypes[i % dtypes.length], 1 + random.nextInt(3)));
        i++;
      }
    }
    return b.build();
  }

  /** Head sizes that are no multiple of any vector length, group sizes that are no power of two. */
  static Stream<Arguments> oddShapes() {
    return Stream.of(
        Arguments.of(101L, 1, 3, 5, 37, KvDtype.F16, 2),
        Arguments.of(102L, 2, 5, 1, 16, KvDtype.F32, 1),
        Arguments.of(103L, 3, 6, 80, 333, KvDtype.BF16, 3),
        Arguments.of(104L, 1, 8, 96, 17, KvDtype.F32, 2),
        Arguments.of(105L, 2, 1, 40, 1000, KvDtype.F16, 1));
  }

  @ParameterizedTest(name = "seed={0} kvHeads={1} group={2} dim={3} length={4} {5} threads={6}")
  @MethodSource({"shapes", "oddShapes"})
  void singleQueryAttentionMatchesTheReference(long seed, int kvHeads, int group, int dim, int length, KvDtype dtype, int threads) {
    SplittableRandom random = new SplittableRandom(seed);
    int queryHeads = kvHeads * group;
    try (CpuBackend backend = CpuBackend.create(dtype, threads);
        KvCache cache = backend.allocate(new CacheSpec(2, queryHeads, kvHeads, dim, length))) {
      ReferenceAttention ref = new ReferenceAttention(cache.spec(), dtype);
      ref.appendRandom(cache, 1, 0, length, random);
      float[] q = RandomData.gaussian(random, queryHeads * dim, 2.0);
      for (GroupReduction reduction : GroupReduction.values()) {
        float[] out = new float[queryHeads * dim];
        StepPlan plan = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction));
        AttentionResult r = cache.attend(1, q, 1, plan, out);
        ReferenceAttention.Result expected = ref.attend(1, q, 1, plan);
        assertThat(r.attendedTokens()).isEqualTo(length);
        assertClose(seed, out, expected.output(), dtype == KvDtype.F32 ? F32_TOLERANCE : HALF_TOLERANCE);
        assertScores(seed, r.scores(), expected.scores());
      }
    }
  }

  @ParameterizedTest(name = "seed={0} kvHeads={1} group={2} dim={3} length={4} {5} threads={6}")
  @MethodSource({"shapes", "oddShapes"})
  void causalPrefillEqualsTokenByTokenDecodeBitForBit(long seed, int kvHeads, int group, int dim, int length, KvDtype dtype, int threads) {
    SplittableRandom random = new SplittableRandom(seed);
    int queryHeads = kvHeads * group;
    int prompt = Math.min(length, 64);
    int chunk = 1 + random.nextInt(prompt);
    int before = prompt - chunk;
    try (CpuBackend backend = CpuBackend.create(dtype, threads);
        KvCache batched = backend.allocate(new CacheSpec(1, queryHeads, kvHeads, dim, prompt));
        KvCache stepwise = backend.allocate(new CacheSpec(1, queryHeads, kvHeads, dim, prompt))) {
      ReferenceAttention ref = new ReferenceAttention(batched.spec(), dtype);
      int row = kvHeads * dim;
      float[] k = RandomData.gaussian(random, prompt * row, 1.0);
      float[] v = RandomData.gaussian(random, prompt * row, 1.0);
      float[] q = RandomData.gaussian(random, prompt * queryHeads * dim, 1.5);
      int[] pos = RandomData.range(0, prompt);
      ref.append(0, k, v, pos, prompt);
      // batched: the first `before` tokens, then one chunk of `chunk` queries
      batched.append(0, k, v, pos, before);
      batched.append(0, Arrays.copyOfRange(k, before * row, prompt * row),
          Arrays.copyOfRange(v, before * row, prompt * row), RandomData.range(before, chunk), chunk);
      float[] qChunk = Arrays.copyOfRange(q, before * queryHeads * dim, prompt * queryHeads * dim);
      float[] outBatched = new float[chunk * queryHeads * dim];
      AttentionResult rb = batched.attend(0, qChunk, chunk, new StepPlan.Full(ScoreRequest.SUM_MAX), outBatched);
      float[] summed = new float[prompt];
      float[] scratch = new float[prompt];
      // token by token
      float[] sums = new float[kvHeads * prompt];
      for (int t = 0; t < prompt; t++) {
        stepwise.append(0, Arrays.copyOfRange(k, t * row, (t + 1) * row),
            Arrays.copyOfRange(v, t * row, (t + 1) * row), new int[] {t}, 1);
        if (t < before) {
          continue;
        }
        float[] out = new float[queryHeads * dim];
        AttentionResult r = stepwise.attend(0, Arrays.copyOfRange(q, t * queryHeads * dim, (t + 1) * queryHeads * dim), 1,
            new StepPlan.Full(ScoreRequest.LAST_MAX), out);
        int i = t - before;
        float[] expected = Arrays.copyOfRange(outBatched, i * queryHeads * dim, (i + 1) * queryHeads * dim);
        if (!Arrays.equals(out, expected)) {
          fail("seed " + seed + ": query " + i + " of the chunk differs from the same token decoded alone");
        }
        for (int h = 0; h < kvHeads; h++) {
          r.scores().copyTo(h, scratch);
          for (int j = 0; j <= t; j++) {
            sums[h * prompt + j] += scratch[j];
          }
        }
      }
      // SUM scores: per query the group max, summed over the chunk's queries in order
      for (int h = 0; h < kvHeads; h++) {
        rb.scores().copyTo(h, summed);
        for (int j = 0; j < prompt; j++) {
          assertThat(summed[j]).as("seed %d head %d entry %d", seed, h, j).isEqualTo(sums[h * prompt + j]);
        }
      }
      ReferenceAttention.Result expected = ref.attend(0, q, prompt, StepPlan.Full.NO_SCORES);
      double[] tail = Arrays.copyOfRange(expected.output(), before * queryHeads * dim, prompt * queryHeads * dim);
      assertClose(seed, outBatched, tail, dtype == KvDtype.F32 ? F32_TOLERANCE : HALF_TOLERANCE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(GroupReduction.class)
  void summedScoresOfAPrefillChunkMatchTheReference(GroupReduction reduction) {
    long seed = 41 + reduction.ordinal();
    SplittableRandom random = new SplittableRandom(seed);
    int kvHeads = 2;
    int queryHeads = 8;
    int dim = 48;
    int length = 300;
    int queries = 37;
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 2);
        KvCache cache = backend.allocate(new CacheSpec(1, queryHeads, kvHeads, dim, length))) {
      ReferenceAttention ref = new ReferenceAttention(cache.spec());
      ref.appendRandom(cache, 0, 0, length, random);
      float[] q = RandomData.gaussian(random, queries * queryHeads * dim, 2.0);
      float[] out = new float[queries * queryHeads * dim];
      StepPlan summed = new StepPlan.Full(new ScoreRequest(ScoreMode.SUM, reduction));
      AttentionResult r = cache.attend(0, q, queries, summed, out);
      ReferenceAttention.Result expected = ref.attend(0, q, queries, summed);
      assertClose(seed, out, expected.output(), F32_TOLERANCE);
      assertScores(seed, r.scores(), expected.scores());
      // the newest query alone
      StepPlan newest = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction));
      r = cache.attend(0, q, queries, newest, out);
      assertScores(seed, r.scores(), ref.attend(0, q, queries, newest).scores());
      // for one query SUM and LAST_QUERY are the same thing
      float[] q1 = Arrays.copyOfRange(q, (queries - 1) * queryHeads * dim, queries * queryHeads * dim);
      float[] out1 = new float[queryHeads * dim];
      float[] last = cache.attend(0, q1, 1, new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction)), out1).scores().toArray(1);
      float[] sum1 = cache.attend(0, q1, 1, summed, out1).scores().toArray(1);
      assertThat(sum1).containsExactly(last);
    }
  }

  @Test
  void topKOfTheScoresIsTheReferenceSelection() {
    SplittableRandom random = new SplittableRandom(8);
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(new CacheSpec(1, 4, 2, 32, 500))) {
      cache.append(0, RandomData.gaussian(random, 500 * 64, 1), RandomData.gaussian(random, 500 * 64, 1), RandomData.range(0, 500), 500);
      AttentionResult r = cache.attend(0, RandomData.gaussian(random, 128, 3), 1, StepPlan.Full.LAST_MAX, new float[128]);
      for (int k : new int[] {0, 1, 64, 500, 900}) {
        assertThat(r.scores().topK(k, 7, 16))
            .isEqualTo(ScoreMath.topK(r.scores(), k, 7, 16));
      }
    }
  }

  static void assertClose(long seed, float[] actual, double[] expected, double tolerance) {
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (!(err <= tolerance * Math.max(1.0, Math.abs(expected[i])))) {
        fail("seed " + seed + ": element " + i + " is " + actual[i] + ", reference " + expected[i] + " (error " + err + " > " + tolerance + ")");
      }
    }
  }

  static void assertScores(long seed, Scores scores, double[][] expected) {
    assertThat(scores).isNotNull();
    assertThat(scores.kvHeads()).isEqualTo(expected.length);
    for (int h = 0; h < expected.length; h++) {
      assertThat(scores.length()).isEqualTo(expected[h].length);
      float[] got = scores.toArray(h);
      for (int j = 0; j < got.length; j++) {
        double err = Math.abs(got[j] - expected[h][j]);
        if (!(err <= 1e-6 + 1e-5 * expected[h][j])) {
          fail("seed " + seed + ": score of head " + h + " entry " + j + " is " + got[j] + ", reference " + expected[h][j]);
        }
      }
    }
  }
}
