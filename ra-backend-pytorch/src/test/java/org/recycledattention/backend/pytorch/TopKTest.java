package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.recycledattention.tests.RandomData.gaussian;
import static org.recycledattention.tests.RandomData.range;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;

/** The device top-K selects exactly what {@link ScoreMath#topK} selects on the same scores. */
class TopKTest {
  @Test
  void deviceTopKEqualsTheHostDefinitionIncludingTies() {
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    try (KvCacheBackend backend = PytorchTestSupport.backend("float32")) {
      for (int round = 0; round < 40; round++) {
        int kvHeads = 1 + random.nextInt(3);
        int group = 1 + random.nextInt(3);
        int headDim = 16;
        int length = 1 + random.nextInt(round < 20 ? 40 : 700);
        CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, headDim, 1024);
        try (KvCache cache = backend.allocate(spec)) {
          int row = kvHeads * headDim;
          float[] k = gaussian(random, length * row, 1);
          // zero keys give exactly equal logits, hence exactly tied probabilities
          for (int t = 0; t < length; t++) {
            if (random.nextInt(3) > 0) {
              java.util.Arrays.fill(k, t * row, (t + 1) * row, 0f);
            }
          }
          cache.append(0, k, gaussian(random, length * row, 1), range(0, length), length);
          float[] q = gaussian(random, spec.queryHeads() * headDim, 1);
          ScoreRequest request = new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.values()[random.nextInt(3)]);
          Scores scores = cache.attend(0, q, 1, new StepPlan.Full(request), new float[q.length]).scores();
          for (int trial = 0; trial < 6; trial++) {
            int kk = random.nextInt(length + 3);
            int kernel = 1 + 2 * random.nextInt(4);
            int keepRecent = random.nextInt(5) == 0 ? -1 : random.nextInt(kk + 3);
            String what = "seed " + seed + " round " + round + " trial " + trial + ": length=" + length + " k=" + kk
                + " kernel=" + kernel + " keepRecent=" + keepRecent;
            Selection expected = ScoreMath.topK(scores, kk, kernel, keepRecent);
            Selection actual = scores.topK(kk, kernel, keepRecent);
            assertThat(actual).as(what).isEqualTo(expected);
            assertThat(actual.size()).as(what).isEqualTo(Math.min(kk, length));
          }
        }
      }
    }
  }
}
