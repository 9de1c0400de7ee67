package org.recycledattention.policy.recycled;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;

/** The query-similarity schedule, with queries whose cosine is known by construction. */
class DynamicScheduleTest {
  /** 2 layers, 2 query heads sharing 1 KV head, head dimension 2: a query head is a 2-D direction. */
  private static final ModelShape SHAPE = SimulatedDecoder.shape(2, 2, 1, 2);
  private static final SimulatedDecoder.ScoreFn BY_POSITION = (l, h, p) -> p / 100f;

  private static RecycledPolicy policy(String threshold, String checkInterval) {
    return (RecycledPolicy) Providers.create(new RecycledPolicyProvider(), 4,
        Map.of("schedule", "dynamic", "similarity-threshold", threshold, "check-interval", checkInterval), SHAPE);
  }

  /** Both query heads pointing at {@code degrees}. */
  private static float[] direction(double degrees) {
    float c = (float) Math.cos(Math.toRadians(degrees));
    float s = (float) Math.sin(Math.toRadians(degrees));
    return new float[] {c, s, c, s};
  }

  /** A prompt of 3 tokens whose last query averages to 45 degrees; earlier rows point elsewhere. */
  private static void prefill(SimulatedDecoder d) {
    float[] rows = {-1, 0, -1, 0, /* */ 0, -1, 0, -1, /* last: heads at 0 and 90 degrees, mean at 45 */ 1, 0, 0, 1};
    d.prefill(Phase.PREFILL_END, 0, 3, BY_POSITION, l -> rows);
  }

  private static boolean[] fullSteps(StepPlan[] plans) {
    boolean[] f = new boolean[plans.length];
    for (int l = 0; l < plans.length; l++) {
      f[l] = plans[l] instanceof StepPlan.Full;
    }
    return f;
  }

  @Test
  void aLayerGoesFullExactlyWhenItsQuerySimilarityDropsBelowTheThresholdAtACheckStep() {
    RecycledPolicy policy = policy("0.85", "2");
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    prefill(d);
    // layer 0 stays 20 degrees off (cos 0.94 >= 0.85): never full.
    // layer 1: 40 degrees off (cos 0.77) from step 0; step 4 turns another 90 degrees.
    double[] layer1 = {85, 85, 85, 85, 175, 175};
    boolean[][] expected = {
        {false, false}, // step 0: not a check step, however far the query moved
        {false, true}, // check: layer 1 at cos 0.77 < 0.85 -> full; its reference becomes 85 degrees
        {false, false},
        {false, false}, // check: layer 1 now matches its new reference (cos 1)
        {false, false}, // not a check step
        {false, true}}; // check: cos 0 -> full
    for (int step = 0; step < expected.length; step++) {
      double l1 = layer1[step];
      StepPlan[] plans = d.decode(step, 3 + step, BY_POSITION, l -> direction(l == 0 ? 65 : l1));
      assertThat(fullSteps(plans)).as("step %d", step).containsExactly(expected[step]);
    }
    assertThat(policy.fullSteps(0)).isEqualTo(1);
    assertThat(policy.fullSteps(1)).isEqualTo(3);
    assertThat(d.workingSet(1).partialPositionSet(0)).isEqualTo(new java.util.TreeSet<>(java.util.List.of(5, 6, 7, 8)));
  }

  @Test
  void theComparisonIsStrictAtTheThreshold() {
    RecycledPolicy policy = policy("0", "1");
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    float[] reference = {1, 0, 1, 0};
    d.prefill(Phase.PREFILL_END, 0, 1, BY_POSITION, l -> reference);
    // orthogonal: similarity exactly 0, not below 0 -> recycled
    assertThat(d.decode(0, 1, BY_POSITION, l -> new float[] {0, 1, 0, 1})).containsOnly(StepPlan.Partial.NO_SCORES);
    // a little past orthogonal: similarity < 0 -> full
    assertThat(fullSteps(d.decode(1, 2, BY_POSITION, l -> new float[] {-0.001f, 1, -0.001f, 1}))).containsExactly(true, true);
  }

  @Test
  void theQueryIsAveragedOverTheQueryHeads() {
    SimulatedDecoder d = new SimulatedDecoder(policy("0.5", "1"), SHAPE);
    d.prefill(Phase.PREFILL_END, 0, 1, BY_POSITION, l -> new float[] {1, 0, 1, 0}); // mean (1, 0)
    // head 0 still points at (1, 0) but the mean is (0, 1): similarity 0 -> full
    assertThat(fullSteps(d.decode(0, 1, BY_POSITION, l -> new float[] {1, 0, -1, 2}))).containsExactly(true, true);
    // heads at +60 and -60 degrees from (0, 1) each have cosine 0.5 with it, their mean has cosine 1 -> recycled
    float c = (float) Math.cos(Math.toRadians(30));
    float s = (float) Math.sin(Math.toRadians(30));
    assertThat(d.decode(1, 2, BY_POSITION, l -> new float[] {c, s, -c, s})).containsOnly(StepPlan.Partial.NO_SCORES);
  }
}
