package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.maxError;
import static org.recycledattention.tests.RandomData.gaussian;
import static org.recycledattention.tests.RandomData.range;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.ReferenceAttention;

/** Attention of the pytorch backend against a plain double-precision reference. */
class AttentionAccuracyTest {
  private static final int[] GROUPS = {1, 2, 4};
  private static final int[] HEAD_DIMS = {32, 64, 128};

  private static double tolerance(String dtype) {
    return dtype.equals("float32") ? 1e-4 : 2e-2;
  }

  private static double scoreTolerance(String dtype) {
    return dtype.equals("float32") ? 1e-5 : 5e-3;
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "float16"})
  void fullAttentionMatchesReferenceForRandomShapes(String dtype) {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    try (KvCacheBackend backend = PytorchTestSupport.backend(dtype)) {
      for (int round = 0; round < 10; round++) {
        int kvHeads = 1 + random.nextInt(3);
        int group = GROUPS[random.nextInt(GROUPS.length)];
        int headDim = HEAD_DIMS[random.nextInt(HEAD_DIMS.length)];
        int length = round < 2 ? 1 + random.nextInt(3) : 1 + random.nextInt(round < 8 ? 300 : 2000);
        ScoreRequest request = new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.values()[random.nextInt(3)]);
        String what = "seed " + seed + " round " + round + ": kvHeads=" + kvHeads + " group=" + group + " headDim=" + headDim
            + " length=" + length + " " + dtype + " " + request.reduction();
        CacheSpec spec = new CacheSpec(2, kvHeads * group, kvHeads, headDim, 4096);
        try (KvCache cache = backend.allocate(spec)) {
          ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, kvHeads * group, kvHeads, headDim, 1 << 20));
          int row = kvHeads * headDim;
          // appends in chunks of random size (multi-token and single-token paths), to layer 1
          for (int done = 0; done < length; ) {
            int t = Math.min(length - done, random.nextBoolean() ? 1 : 1 + random.nextInt(64));
            float[] k = gaussian(random, t * row, 1);
            float[] v = gaussian(random, t * row, 1);
            int[] pos = range(done, t);
            cache.append(1, k, v, pos, t);
            ref.append(1, k, v, pos, t);
            done += t;
          }
          float[] q = gaussian(random, spec.queryHeads() * headDim, 1);
          float[] out = new float[q.length];
          AttentionResult result = cache.attend(1, q, 1, new StepPlan.Full(request), out);
          ReferenceAttention.Result expected = ref.attend(1, q, 1, new StepPlan.Full(request));
          assertThat(maxError(out, expected.output())).as(what).isLessThan(tolerance(dtype));
          assertThat(result.attendedTokens()).as(what).isEqualTo(length);
          assertThat(result.hasScores()).as(what).isTrue();
          assertScores(result, expected.scores(), scoreTolerance(dtype), what);
          assertThat(cache.workingSet(0).length()).as("other layers are untouched").isZero();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "float16"})
  void severalQueriesAreCausalAndScoresFollowTheirMode(String dtype) {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    try (KvCacheBackend backend = PytorchTestSupport.backend(dtype)) {
      for (int round = 0; round < 8; round++) {
        int kvHeads = 1 + random.nextInt(2);
        int group = GROUPS[random.nextInt(GROUPS.length)];
        int headDim = HEAD_DIMS[random.nextInt(2)];
        int before = random.nextInt(40);
        int queries = 2 + random.nextInt(15);
        ScoreRequest request = new ScoreRequest(random.nextBoolean() ? ScoreMode.SUM : ScoreMode.LAST_QUERY,
            GroupReduction.values()[random.nextInt(3)]);
        String what = "seed " + seed + " round " + round + ": kvHeads=" + kvHeads + " group=" + group + " headDim=" + headDim
            + " before=" + before + " queries=" + queries + " " + request;
        CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, headDim, 512);
        try (KvCache cache = backend.allocate(spec)) {
          ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, kvHeads * group, kvHeads, headDim, 1 << 20));
          int row = kvHeads * headDim;
          if (before > 0) {
            float[] k = gaussian(random, before * row, 1);
            float[] v = gaussian(random, before * row, 1);
            cache.append(0, k, v, range(0, before), before);
            ref.append(0, k, v, range(0, before), before);
          }
          float[] k = gaussian(random, queries * row, 1);
          float[] v = gaussian(random, queries * row, 1);
          cache.append(0, k, v, range(before, queries), queries);
          ref.append(0, k, v, range(before, queries), queries);
          float[] q = gaussian(random, queries * spec.queryHeads() * headDim, 1);
          float[] out = new float[q.length];
          AttentionResult result = cache.attend(0, q, queries, new StepPlan.Full(request), out);
          ReferenceAttention.Result expected = ref.attend(0, q, queries, new StepPlan.Full(request));
          assertThat(maxError(out, expected.output())).as(what).isLessThan(tolerance(dtype));
          assertThat(result.attendedTokens()).isEqualTo(before + queries);
          assertScores(result, expected.scores(), scoreTolerance(dtype) * queries, what);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "float16"})
  void partialPlanAttendsThePartialCacheAndTheCurrentToken(String dtype) {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    try (KvCacheBackend backend = PytorchTestSupport.backend(dtype)) {
      for (int round = 0; round < 6; round++) {
        int kvHeads = 1 + random.nextInt(3);
        int group = GROUPS[random.nextInt(GROUPS.length)];
        int headDim = HEAD_DIMS[random.nextInt(HEAD_DIMS.length)];
        int length = 20 + random.nextInt(400);
        int k = 1 + random.nextInt(length - 1);
        String what = "seed " + seed + " round " + round + ": kvHeads=" + kvHeads + " group=" + group + " headDim=" + headDim
            + " length=" + length + " k=" + k;
        CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, headDim, 1024);
        try (KvCache cache = backend.allocate(spec)) {
          ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, kvHeads * group, kvHeads, headDim, 1 << 20));
          int row = kvHeads * headDim;
          float[] keys = gaussian(random, length * row, 1);
          float[] values = gaussian(random, length * row, 1);
          cache.append(0, keys, values, range(0, length), length);
          ref.append(0, keys, values, range(0, length), length);
          float[] q = gaussian(random, spec.queryHeads() * headDim, 1);
          float[] out = new float[q.length];
          AttentionResult full = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
          Selection selection = full.scores().topK(k, 1 + 2 * random.nextInt(3), random.nextInt(4));
          WorkingSet ws = cache.workingSet(0);
          ws.gatherPartial(selection);
          ref.gatherPartial(0, selection);
          assertThat(ws.partialLength()).isEqualTo(selection.size());
          for (int step = 0; step < 5; step++) {
            float[] k1 = gaussian(random, row, 1);
            float[] v1 = gaussian(random, row, 1);
            cache.append(0, k1, v1, new int[] {length + step}, 1);
            ref.append(0, k1, v1, new int[] {length + step}, 1);
            q = gaussian(random, spec.queryHeads() * headDim, 1);
            ScoreRequest request = new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.values()[step % 3]);
            AttentionResult partial = cache.attend(0, q, 1, new StepPlan.Partial(request), out);
            ReferenceAttention.Result expected = ref.attend(0, q, 1, new StepPlan.Partial(request));
            assertThat(maxError(out, expected.output())).as(what + " step " + step).isLessThan(tolerance(dtype));
            assertThat(partial.attendedTokens()).isEqualTo(ref.partialLength(0) + 1);
            assertScores(partial, expected.scores(), scoreTolerance(dtype), what + " step " + step);
            int[] replace = new int[kvHeads];
            if (step % 2 == 0) {
              java.util.Arrays.fill(replace, -1);
            } else {
              for (int h = 0; h < kvHeads; h++) {
                replace[h] = random.nextInt(ws.partialLength());
              }
            }
            ws.appendToPartial(replace);
            ref.appendToPartial(0, replace);
            for (int h = 0; h < kvHeads; h++) {
              for (int s = 0; s < ref.partialLength(0); s++) {
                assertThat(ws.partialPosition(h, s)).as(what).isEqualTo(ref.partialPosition(0, h, s));
              }
            }
          }
        }
      }
    }
  }

  static void assertScores(AttentionResult result, double[][] expected, double tolerance, String what) {
    assertThat(result.scores().kvHeads()).isEqualTo(expected.length);
    assertThat(result.scores().length()).isEqualTo(expected[0].length);
    for (int h = 0; h < expected.length; h++) {
      float[] actual = result.scores().toArray(h);
      assertThat(maxError(actual, expected[h])).as(what + " scores of KV head " + h).isLessThan(tolerance);
    }
  }
}
