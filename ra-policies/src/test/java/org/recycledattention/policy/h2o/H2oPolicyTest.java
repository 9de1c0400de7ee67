package org.recycledattention.policy.h2o;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;
import org.recycledattention.tests.SimulatedWorkingSet.Evict;
import org.recycledattention.tests.SimulatedWorkingSet.Retain;
import org.recycledattention.tests.SimulatedWorkingSet;

class H2oPolicyTest {
  private static final ModelShape SHAPE = SimulatedDecoder.shape(1, 2, 2, 2);
  private static final StepPlan SUM_MAX = new StepPlan.Full(ScoreRequest.SUM_MAX);

  private static H2oPolicy policy(int budget, String ratio) {
    return (H2oPolicy) Providers.create(new H2oPolicyProvider(), budget, Map.of("heavy-ratio", ratio), SHAPE);
  }

  private static TreeSet<Integer> positions(int... p) {
    return new TreeSet<>(IntStream.of(p).boxed().toList());
  }

  /** Scores by [kvHead][position]. */
  private static SimulatedDecoder.ScoreFn table(float[][] byHeadAndPosition) {
    return (l, h, p) -> p < byHeadAndPosition[h].length ? byHeadAndPosition[h][p] : 0f;
  }

  @Test
  void evictsTheLowestAccumulatedNonRecentTokenPerHeadTiesToTheOlder() {
    H2oPolicy policy = policy(4, "0.5");
    assertThat(policy.heavyHitters()).isEqualTo(2);
    assertThat(policy.recentWindow()).isEqualTo(2);
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    SimulatedWorkingSet ws = d.workingSet(0);

    // prompt 0..4, recent window {3, 4}; candidates {0, 1, 2}
    d.prefill(Phase.PREFILL_END, 0, 5, table(new float[][] {
        {0.75f, 0.125f, 0.5f, 0.25f, 0.25f},
        {0.125f, 0.5f, 0.0625f, 0.75f, 0.5f}}));
    assertThat(ws.calls()).singleElement().isEqualTo(new Evict(java.util.List.of(1, 2)));
    assertThat(ws.positionSet(0)).isEqualTo(positions(0, 2, 3, 4));
    assertThat(ws.positionSet(1)).isEqualTo(positions(0, 1, 3, 4));

    // decode at 5: head 0 accumulates 0:0.75 2:0.625 3:0.625 -> tie, the older (2) goes;
    // head 1 accumulates 0:0.625 1:0.5625 3:0.75 -> 1 goes
    d.decode(0, 5, table(new float[][] {
        {0f, 0f, 0.125f, 0.375f, 0.25f, 0.25f},
        {0.5f, 0.0625f, 0f, 0f, 0.25f, 0.125f}}));
    assertThat(ws.positionSet(0)).isEqualTo(positions(0, 3, 4, 5));
    assertThat(ws.positionSet(1)).isEqualTo(positions(0, 3, 4, 5));

    // decode at 6: 4 leaves the recent window; head 0: 0:0.75 3:0.625 4:0.5 -> 4; head 1: 0:0.625 3:0.75 4:0.75 -> 0
    d.decode(1, 6, table(new float[][] {
        {0f, 0f, 0f, 0f, 0f, 0f, 1f},
        {0f, 0f, 0f, 0f, 0f, 0f, 0f}}));
    assertThat(ws.positionSet(0)).isEqualTo(positions(0, 3, 5, 6));
    assertThat(ws.positionSet(1)).isEqualTo(positions(3, 4, 5, 6));
    assertThat(ws.calls()).hasSize(3).allMatch(c -> c instanceof Evict);
  }

  @Test
  void singleQueryPrefillStepsAccumulateAndALongPromptIsCutWithOneRetain() {
    H2oPolicy policy = policy(4, "0.5");
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    // every step returns w[pos] for each present token, so the sum after the prompt is w[pos] * (8 - pos)
    float[] w = {0.125f, 0.125f, 0.0625f, 0.5f, 0.25f, 0.1875f, 0.5f, 0.5f};
    SimulatedDecoder.ScoreFn fn = (l, h, p) -> w[p];
    for (int p = 0; p < 7; p++) {
      d.prefill(Phase.PREFILL, p, 1, fn);
    }
    d.prefill(Phase.PREFILL_END, 7, 1, fn);
    // accumulated: 0:1.0 1:0.875 2:0.375 3:2.5 4:1.0 5:0.5625 | recent 6:1.0 7:0.5
    // heavy hitters: 3, then the tie 0 / 4 goes to the newer, 4
    SimulatedWorkingSet ws = d.workingSet(0);
    assertThat(ws.calls()).singleElement().isInstanceOf(Retain.class);
    assertThat(ws.positionSet(0)).isEqualTo(positions(3, 4, 6, 7));
    assertThat(ws.positionSet(1)).isEqualTo(positions(3, 4, 6, 7));
    assertThat(policy.accumulatedScore(0, 0, 0)).isEqualTo(2.5f);
    assertThat(policy.accumulatedScore(0, 1, 1)).isEqualTo(1.0f);
    assertThat(policy.accumulatedScore(0, 0, 2)).isEqualTo(1.0f);
    assertThat(policy.accumulatedScore(0, 1, 3)).isEqualTo(0.5f);
  }

  @Test
  void ratioZeroIsASlidingWindowAndRatioOneMayEvictTheNewToken() {
    SimulatedDecoder window = new SimulatedDecoder(policy(3, "0"), SHAPE);
    SimulatedDecoder.ScoreFn oldIsHeavy = (l, h, p) -> p == 0 ? 1f : 0f;
    window.prefill(Phase.PREFILL_END, 0, 3, oldIsHeavy);
    window.decode(0, 3, oldIsHeavy);
    window.decode(1, 4, oldIsHeavy);
    assertThat(window.workingSet(0).positionSet(0)).isEqualTo(positions(2, 3, 4));

    SimulatedDecoder heavy = new SimulatedDecoder(policy(2, "1"), SHAPE);
    heavy.prefill(Phase.PREFILL_END, 0, 2, (l, h, p) -> 0f);
    heavy.decode(0, 2, table(new float[][] {{0.5f, 0.25f, 0.125f}, {0.5f, 0.25f, 0.125f}}));
    assertThat(heavy.workingSet(0).positionSet(0)).isEqualTo(positions(0, 1));
  }

  @Test
  void heavyHittersAreTheFloorOfTheDecimalProduct() {
    assertThat(policy(100, "0.29").heavyHitters()).isEqualTo(29); // 100 * 0.29 is 28.999999999999996 in binary
    assertThat(policy(7, "0.5").heavyHitters()).isEqualTo(3);
    assertThat(policy(7, "0.5").recentWindow()).isEqualTo(4);
    assertThat(policy(1, "1").heavyHitters()).isEqualTo(1);
    assertThat(policy(Integer.MAX_VALUE, "1").heavyHitters()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void asksForSummedMaxReducedScoresAtEveryStep() {
    H2oPolicy policy = policy(4, "0.5");
    float[] q = new float[4];
    assertThat(policy.plan(0, new DecodeStep(Phase.PREFILL, 3, -1, 1, q))).isEqualTo(SUM_MAX);
    assertThat(policy.plan(0, new DecodeStep(Phase.PREFILL_END, 4, -1, 1, q))).isEqualTo(SUM_MAX);
    assertThat(policy.plan(0, new DecodeStep(Phase.DECODE, 5, 0, 1, q))).isEqualTo(SUM_MAX);
  }

  @Test
  void missingScoresFailNamingTheCapability() {
    H2oPolicy policy = policy(4, "0.5");
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 2);
    ws.append(0);
    DecodeStep step = new DecodeStep(Phase.PREFILL_END, 0, -1, 1, new float[4]);
    assertThatThrownBy(() -> policy.observe(0, step, new Observation(SUM_MAX, new AttentionResult(1, null)), ws))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SCORES");
  }

  @Test
  void heavyRatioOutsideZeroOneIsRejectedNamingTheKey() {
    H2oPolicyProvider provider = new H2oPolicyProvider();
    for (String bad : new String[] {"1.5", "-0.1", "NaN", "half"}) {
      assertThatThrownBy(() -> Providers.policyConfig(provider, 8, Map.of("heavy-ratio", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("ra.policy.h2o.heavy-ratio")
          .hasMessageContaining(bad);
    }
  }
}
