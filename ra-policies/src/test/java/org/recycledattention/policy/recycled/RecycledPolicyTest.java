package org.recycledattention.policy.recycled;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;
import org.recycledattention.tests.SimulatedWorkingSet.AppendToPartial;
import org.recycledattention.tests.SimulatedWorkingSet.Evict;
import org.recycledattention.tests.SimulatedWorkingSet.Gather;
import org.recycledattention.tests.SimulatedWorkingSet.Retain;
import org.recycledattention.tests.SimulatedWorkingSet;

class RecycledPolicyTest {
  private static final ModelShape SHAPE = SimulatedDecoder.shape(2, 4, 2, 2);
  private static final StepPlan FULL_LAST_MAX = new StepPlan.Full(ScoreRequest.LAST_MAX);
  private static final SimulatedDecoder.ScoreFn BY_POSITION = (l, h, p) -> p / 100f;

  private static RecycledPolicy policy(int budget, ModelShape shape, String... keyValues) {
    Map<String, String> raw = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], keyValues[i + 1]);
    }
    return (RecycledPolicy) Providers.create(new RecycledPolicyProvider(), budget, raw, shape);
  }

  private static TreeSet<Integer> positions(int... p) {
    return new TreeSet<>(IntStream.of(p).boxed().toList());
  }

  private static AppendToPartial replaced(Integer... slotPerHead) {
    return new AppendToPartial(List.of(slotPerHead));
  }

  @Test
  void fixedScheduleGoesFullEveryStrideDecodeStepsOnAllLayers() {
    RecycledPolicy policy = policy(4, SHAPE, "stride", "3");
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    d.prefill(Phase.PREFILL, 0, 4, SimulatedDecoder.NO_SCORES);
    assertThat(d.prefill(Phase.PREFILL_END, 4, 2, BY_POSITION)).containsOnly(FULL_LAST_MAX);
    List<Integer> fullSteps = new ArrayList<>();
    for (int step = 0; step < 12; step++) {
      StepPlan[] plans = d.decode(step, 6 + step, BY_POSITION);
      assertThat(plans[1]).isEqualTo(plans[0]);
      if (plans[0] instanceof StepPlan.Full full) {
        assertThat(full).isEqualTo(FULL_LAST_MAX);
        fullSteps.add(step);
      } else {
        assertThat(plans[0]).isEqualTo(StepPlan.Partial.NO_SCORES);
      }
    }
    assertThat(fullSteps).containsExactly(2, 5, 8, 11);
    assertThat(policy.fullSteps(0)).isEqualTo(5); // the end of prefill and 4 decode steps
    assertThat(policy.recycledSteps(1)).isEqualTo(8);
    assertThat(d.workingSet(0).calls()).noneMatch(c -> c instanceof Evict || c instanceof Retain);
    assertThat(d.workingSet(0).length()).isEqualTo(18);

    SimulatedDecoder always = new SimulatedDecoder(policy(4, SHAPE, "stride", "1"), SHAPE);
    always.prefill(Phase.PREFILL_END, 0, 6, BY_POSITION);
    for (int step = 0; step < 5; step++) {
      assertThat(always.decode(step, 6 + step, BY_POSITION)).containsOnly(FULL_LAST_MAX);
    }
  }

  @Test
  void selectionUsesTheConfiguredReductionPoolingAndLocalTokens() {
    RecycledPolicy policy = policy(4, SHAPE, "group-reduction", "mean", "pool-kernel", "1", "local-tokens", "2");
    SimulatedDecoder d = new SimulatedDecoder(policy, SHAPE);
    float[] head0 = {0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.4f, 0.05f, 0.01f};
    StepPlan[] plans = d.prefill(Phase.PREFILL_END, 0, 8, (l, h, p) -> h == 0 ? head0[p] : head0[7 - p]);
    assertThat(plans).containsOnly(new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.MEAN)));
    SimulatedWorkingSet ws = d.workingSet(1);
    assertThat(ws.calls()).singleElement().isInstanceOf(Gather.class);
    assertThat(ws.partialPositionSet(0)).isEqualTo(positions(0, 2, 6, 7)); // 6, 7 kept as local tokens despite low scores
    assertThat(ws.partialPositionSet(1)).isEqualTo(positions(2, 5, 6, 7)); // reversed scores: locals 6, 7, then 5 (0.8), 2 (0.4)
    assertThat(ws.length()).isEqualTo(8); // the full cache keeps everything
  }

  @Test
  void recycledStepsReplaceTheLowestScoredEntryThenTheOldestProtectedUntilTheNextFullStep() {
    SimulatedDecoder d = new SimulatedDecoder(policy(3, SHAPE, "pool-kernel", "1", "stride", "7"), SHAPE);
    float[][] prompt = {{0.5f, 0.1f, 0.4f, 0.3f, 0.2f}, {0.25f, 0.25f, 0.25f, 0f, 0f}};
    d.prefill(Phase.PREFILL_END, 0, 5, (l, h, p) -> prompt[h][p]);
    SimulatedWorkingSet ws = d.workingSet(0);
    assertThat(ws.partialPositions(0)).containsExactly(0, 2, 3);
    assertThat(ws.partialPositions(1)).containsExactly(0, 1, 2);

    AppendToPartial[] calls = {replaced(2, 0), replaced(1, 1), replaced(0, 2), replaced(2, 0), replaced(1, 1), replaced(0, 2)};
    int[][][] expected = {
        {{0, 2, 5}, {1, 2, 5}}, // head 0: 3 (0.3) goes; head 1: tie at 0.25, the older (0) goes
        {{0, 5, 6}, {2, 5, 6}},
        {{5, 6, 7}, {5, 6, 7}}, // only protected entries are left
        {{6, 7, 8}, {6, 7, 8}}, // the oldest protected goes
        {{7, 8, 9}, {7, 8, 9}},
        {{8, 9, 10}, {8, 9, 10}}};
    for (int step = 0; step < expected.length; step++) {
      ws.clearCalls();
      assertThat(d.decode(step, 5 + step, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Partial.NO_SCORES);
      assertThat(ws.calls()).as("step %d", step).containsExactly(calls[step]);
      assertThat(ws.partialPositionSet(0)).as("step %d head 0", step).isEqualTo(positions(expected[step][0]));
      assertThat(ws.partialPositionSet(1)).as("step %d head 1", step).isEqualTo(positions(expected[step][1]));
    }
    // decode step 6 is full: C_p is rebuilt from its scores (the newest three) and protection ends
    ws.clearCalls();
    assertThat(d.decode(6, 11, BY_POSITION)).containsOnly(FULL_LAST_MAX);
    assertThat(ws.calls()).singleElement().isInstanceOf(Gather.class);
    assertThat(ws.partialPositions(0)).containsExactly(9, 10, 11);
    d.decode(7, 12, SimulatedDecoder.NO_SCORES);
    assertThat(ws.partialPositions(0)).containsExactly(12, 10, 11);
    assertThat(ws.length()).isEqualTo(13);
  }

  @Test
  void aPartialCacheBelowTheBudgetGrowsBeforeAnythingIsReplaced() {
    SimulatedDecoder d = new SimulatedDecoder(policy(4, SHAPE, "pool-kernel", "1", "stride", "1000"), SHAPE);
    d.prefill(Phase.PREFILL_END, 0, 2, (l, h, p) -> p == 0 ? 0.75f : 0.25f);
    SimulatedWorkingSet ws = d.workingSet(1);
    ws.clearCalls();
    for (int step = 0; step < 7; step++) {
      d.decode(step, 2 + step, SimulatedDecoder.NO_SCORES);
    }
    // grow, grow, then 1 (lowest), 0, the oldest protected 2, 3, and around again
    assertThat(ws.calls()).containsExactly(replaced(-1, -1), replaced(-1, -1), replaced(1, 1), replaced(0, 0), replaced(2, 2),
        replaced(3, 3), replaced(1, 1));
    assertThat(ws.partialPositions(0)).containsExactly(5, 8, 6, 7);
  }

  @Test
  void policiesOfTwoSequencesShareNoState() {
    RecycledPolicyProvider provider = new RecycledPolicyProvider();
    var config = Providers.policyConfig(provider, 3, Map.of("stride", "2"));
    SimulatedDecoder first = new SimulatedDecoder(provider.create(config, SHAPE), SHAPE);
    first.prefill(Phase.PREFILL_END, 0, 5, BY_POSITION);
    first.decode(0, 5, SimulatedDecoder.NO_SCORES);
    SimulatedDecoder second = new SimulatedDecoder(provider.create(config, SHAPE), SHAPE);
    // the new sequence has no partial cache yet: its first decode step must not be a partial one
    assertThat(second.decode(0, 0, BY_POSITION)).containsOnly(FULL_LAST_MAX);
  }
}
