package org.recycledattention.examples.tova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.ArrayScores;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedWorkingSet;

/** TOVA's rule on hand-made scores, where the right victim can be read off. */
class TovaEvictionRuleTest {
  private static final ModelShape SHAPE = new ModelShape(1, 4, 2, 8, 4096);

  private static AttentionPolicy tova(int budget, Map<String, String> keys) {
    TovaPolicyProvider p = new TovaPolicyProvider();
    return p.create(Providers.policyConfig(p, budget, keys), SHAPE);
  }

  private static DecodeStep step(Phase phase, int position) {
    return new DecodeStep(phase, position, phase == Phase.DECODE ? 0 : -1, 1, new float[SHAPE.queryHeads() * SHAPE.headDim()]);
  }

  private static void observe(AttentionPolicy policy, Phase phase, int position, SimulatedWorkingSet ws, float[]... scores) {
    DecodeStep s = step(phase, position);
    StepPlan plan = policy.plan(0, s);
    policy.observe(0, s, new Observation(plan, new AttentionResult(ws.length(), ArrayScores.of(scores))), ws);
  }

  @Test
  void overBudgetByOneEvictsTheLowestScoredTokenOfEachHead() {
    AttentionPolicy tova = tova(3, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 2).appendRange(0, 4); // positions 0..3, the newest is 3
    observe(tova, Phase.DECODE, 3, ws, new float[] {0.4f, 0.1f, 0.3f, 0.2f}, new float[] {0.1f, 0.5f, 0.2f, 0.2f});
    assertThat(ws.calls()).containsExactly(new SimulatedWorkingSet.Evict(List.of(1, 0)));
    // swap-remove: the last entry (position 3) moves into the freed slot
    assertThat(ws.positions(0)).containsExactly(0, 3, 2);
    assertThat(ws.positions(1)).containsExactly(3, 1, 2);
  }

  @Test
  void theCurrentTokenIsEvictedWhenItHasTheLowestAttention() {
    AttentionPolicy tova = tova(2, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 1).appendRange(0, 3);
    observe(tova, Phase.DECODE, 2, ws, new float[] {0.5f, 0.45f, 0.05f});
    assertThat(ws.positions(0)).containsExactly(0, 1);
  }

  @Test
  void tiesEvictTheOldestPosition() {
    AttentionPolicy tova = tova(3, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 1).appendRange(0, 4);
    ws.evict(new int[] {0}); // slots now hold positions 3, 1, 2
    ws.append(4); // 3, 1, 2, 4
    observe(tova, Phase.DECODE, 4, ws, new float[] {0.2f, 0.3f, 0.2f, 0.3f});
    // slots 0 (position 3) and 2 (position 2) tie at 0.2: position 2 is older
    assertThat(ws.positions(0)).containsExactly(3, 1, 4);
  }

  @Test
  void withinBudgetNothingChanges() {
    AttentionPolicy tova = tova(4, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 1).appendRange(0, 4);
    observe(tova, Phase.DECODE, 3, ws, new float[] {0.1f, 0.2f, 0.3f, 0.4f});
    assertThat(ws.calls()).isEmpty();
  }

  @Test
  void endOfPromptKeepsTheBudgetBestTokensPerHead() {
    AttentionPolicy tova = tova(3, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 2).appendRange(0, 7);
    observe(tova, Phase.PREFILL_END, 6, ws,
        new float[] {0.30f, 0.01f, 0.20f, 0.02f, 0.25f, 0.03f, 0.19f},
        new float[] {0.05f, 0.40f, 0.05f, 0.05f, 0.05f, 0.30f, 0.10f});
    assertThat(ws.positions(0)).containsExactly(0, 2, 4);
    // head 1: 0.40, 0.30, 0.10 survive; the four 0.05s go
    assertThat(ws.positions(1)).containsExactly(1, 5, 6);
    assertThat(ws.calls()).singleElement().isInstanceOf(SimulatedWorkingSet.Retain.class);
  }

  @Test
  void prefillChunksAttendInFullWithoutScoresAndChangeNothing() {
    AttentionPolicy tova = tova(2, Map.of());
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 1).appendRange(0, 5);
    DecodeStep prefill = step(Phase.PREFILL, 4);
    assertThat(tova.plan(0, prefill)).isEqualTo(StepPlan.Full.NO_SCORES);
    tova.observe(0, prefill, new Observation(StepPlan.Full.NO_SCORES, new AttentionResult(5, null)), ws);
    assertThat(ws.calls()).isEmpty();
  }

  @Test
  void scoresAreTheNewestQueryAveragedOverTheGroupByDefaultOrMaxed() {
    StepPlan mean = tova(8, Map.of()).plan(0, step(Phase.DECODE, 9));
    StepPlan max = tova(8, Map.of("group-reduction", "max")).plan(0, step(Phase.PREFILL_END, 9));
    assertThat(mean).isInstanceOf(StepPlan.Full.class);
    assertThat(mean.scores().mode()).isEqualTo(ScoreMode.LAST_QUERY);
    assertThat(mean.scores().reduction()).isEqualTo(GroupReduction.MEAN);
    assertThat(max.scores().reduction()).isEqualTo(GroupReduction.MAX);
  }

  @Test
  void declaresWhatItNeedsAndRejectsAnUnknownReduction() {
    TovaPolicyProvider p = new TovaPolicyProvider();
    assertThat(p.requiredCapabilities()).containsExactlyInAnyOrder(BackendCapability.SCORES, BackendCapability.EVICTION);
    assertThat(p.properties()).extracting(c -> c.key()).isEqualTo(List.of("group-reduction"));
    assertThatThrownBy(() -> Providers.policyConfig(p, 8, Map.of("group-reduction", "first")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ra.policy.tova.group-reduction");
  }

  @Test
  void isFoundByServiceLoaderUnderItsName() {
    assertThat(Providers.policy("tova")).isInstanceOf(TovaPolicyProvider.class);
  }
}
