package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.gaussian;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.maxError;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.range;

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
          ReferenceKv ref = new ReferenceKv(kvHeads, group, headDim);
          int row = kvHeads * headDim;
          // appends in chunks of random size (multi-token and single-token paths), to layer 1
          for (int done = 0; done < length; ) {
            int t = Math.min(length - done, random.nextBoolean() ? 1 : 1 + random.nextInt(64));
            float[] k = gaussian(random, t * row);
            float[] v = gaussian(random, t * row);
            int[] pos = range(done, t);
            cache.append(1, k, v, pos, t);
            ref.append(k, v, pos, t);
            done += t;
          }
          float[] q = gaussian(random, spec.queryHeads() * headDim);
          float[] out = new float[q.length];
          AttentionResult result = cache.attend(1, q, 1, new StepPlan.Full(request), out);
          double[] expected = ref.attendFull(q, 1);
          assertThat(maxError(out, expected)).as(what).isLessThan(tolerance(dtype));
          assertThat(result.attendedTokens()).as(what).isEqualTo(length);
          assertThat(result.hasScores()).as(what).isTrue();
          assertScores(result, ref.scores(request), scoreTolerance(dtype), what);
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
          ReferenceKv ref = new ReferenceKv(kvHeads, group, headDim);
          int row = kvHeads * headDim;
          if (before > 0) {
            float[] k = gaussian(random, before * row);
            float[] v = gaussian(random, before * row);
            cache.append(0, k, v, range(0, before), before);
            ref.append(k, v, range(0, before), before);
          }
          float[] k = gaussian(random, queries * row);
          float[] v = gaussian(random, queries * row);
          cache.append(0, k, v, range(before, queries), queries);
          ref.append(k, v, range(before, queries), queries);
          float[] q = gaussian(random, queries * spec.queryHeads() * headDim);
          float[] out = new float[q.length];
          AttentionResult result = cache.attend(0, q, queries, new StepPlan.Full(request), out);
          assertThat(maxError(out, ref.attendFull(q, queries))).as(what).isLessThan(tolerance(dtype));
          assertThat(result.attendedTokens()).isEqualTo(before + queries);
          assertScores(result, ref.scores(request), scoreTolerance(dtype) * queries, what);
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
          ReferenceKv ref = new ReferenceKv(kvHeads, group, headDim);
          int row = kvHeads * headDim;
          float[] keys = gaussian(random, length * row);
          float[] values = gaussian(random, length * row);
          cache.append(0, keys, values, range(0, length), length);
          ref.append(keys, values, range(0, length), length);
          float[] q = gaussian(random, spec.queryHeads() * headDim);
          float[] out = new float[q.length];
          AttentionResult full = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
          ref.attendFull(q, 1);
          Selection selection = full.scores().topK(k, 1 + 2 * random.nextInt(3), random.nextInt(4));
          WorkingSet ws = cache.workingSet(0);
          ws.gatherPartial(selection);
          ref.gatherPartial(selection);
          assertThat(ws.partialLength()).isEqualTo(selection.size());
          for (int step = 0; step < 5; step++) {
            float[] k1 = gaussian(random, row);
            float[] v1 = gaussian(random, row);
            cache.append(0, k1, v1, new int[] {length + step}, 1);
            ref.append(k1, v1, new int[] {length + step}, 1);
            q = gaussian(random, spec.queryHeads() * headDim);
            ScoreRequest request = new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.values()[step % 3]);
            AttentionResult partial = cache.attend(0, q, 1, new StepPlan.Partial(request), out);
            assertThat(maxError(out, ref.attendPartial(q))).as(what + " step " + step).isLessThan(tolerance(dtype));
            assertThat(partial.attendedTokens()).isEqualTo(ref.partialLength() + 1);
            assertScores(partial, ref.scores(request), scoreTolerance(dtype), what + " step " + step);
            int[] replace = new int[kvHeads];
            if (step % 2 == 0) {
              java.util.Arrays.fill(replace, -1);
            } else {
              for (int h = 0; h < kvHeads; h++) {
                replace[h] = random.nextInt(ws.partialLength());
              }
            }
            ws.appendToPartial(replace);
            ref.appendToPartial(replace);
            for (int h = 0; h < kvHeads; h++) {
              for (int s = 0; s < ref.partialLength(); s++) {
                assertThat(ws.partialPosition(h, s)).as(what).isEqualTo(ref.partialPositions.get(h).get(s));
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
