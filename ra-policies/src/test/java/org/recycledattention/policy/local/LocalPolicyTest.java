package org.recycledattention.policy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;
import org.recycledattention.tests.SimulatedWorkingSet.Evict;
import org.recycledattention.tests.SimulatedWorkingSet.Retain;
import org.recycledattention.tests.SimulatedWorkingSet;

class LocalPolicyTest {
  private static final ModelShape SHAPE = SimulatedDecoder.shape(2, 4, 2, 4);

  private static SimulatedDecoder driver(int budget, int sinks) {
    return new SimulatedDecoder(Providers.create(new LocalPolicyProvider(), budget, Map.of("sink-tokens", Integer.toString(sinks)), SHAPE), SHAPE);
  }

  private static TreeSet<Integer> positions(int... p) {
    return new TreeSet<>(IntStream.of(p).boxed().toList());
  }

  @Test
  void longPromptIsCutToSinksPlusRecentWithOneRetain() {
    SimulatedDecoder d = driver(6, 2);
    StepPlan[] plans = d.prefill(Phase.PREFILL_END, 0, 10, SimulatedDecoder.NO_SCORES);

    assertThat(plans).containsOnly(StepPlan.Full.NO_SCORES);
    for (int l = 0; l < 2; l++) {
      SimulatedWorkingSet ws = d.workingSet(l);
      assertThat(ws.calls()).hasSize(1).first().isInstanceOf(Retain.class);
      for (int h = 0; h < 2; h++) {
        assertThat(ws.positionSet(h)).isEqualTo(positions(0, 1, 6, 7, 8, 9));
      }
    }
  }

  @Test
  void decodeSlidesTheWindowOneEvictionPerStepAndKeepsTheSinks() {
    SimulatedDecoder d = driver(6, 2);
    d.prefill(Phase.PREFILL_END, 0, 10, SimulatedDecoder.NO_SCORES);
    for (int step = 0; step < 13; step++) { // more than one trip around the ring of 4 window slots
      int pos = 10 + step;
      d.workingSet(0).clearCalls();
      assertThat(d.decode(step, pos, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Full.NO_SCORES);
      SimulatedWorkingSet ws = d.workingSet(0);
      assertThat(ws.calls()).singleElement().isInstanceOf(Evict.class);
      assertThat(ws.length()).isEqualTo(6);
      for (int h = 0; h < 2; h++) {
        assertThat(ws.positionSet(h)).as("step %d head %d", step, h).isEqualTo(positions(0, 1, pos - 3, pos - 2, pos - 1, pos));
      }
    }
  }

  @Test
  void prefillChunksNeverEvictAndShortPromptsGrowToTheBudget() {
    SimulatedDecoder d = driver(6, 2);
    d.prefill(Phase.PREFILL, 0, 4, SimulatedDecoder.NO_SCORES);
    d.prefill(Phase.PREFILL, 4, 4, SimulatedDecoder.NO_SCORES); // 8 > budget, still no eviction (the driver checks)
    assertThat(d.workingSet(0).length()).isEqualTo(8);
    d.prefill(Phase.PREFILL_END, 8, 1, SimulatedDecoder.NO_SCORES);
    assertThat(d.workingSet(0).positionSet(0)).isEqualTo(positions(0, 1, 5, 6, 7, 8));

    SimulatedDecoder shortPrompt = driver(6, 2);
    shortPrompt.prefill(Phase.PREFILL_END, 0, 3, SimulatedDecoder.NO_SCORES);
    shortPrompt.decode(0, 3, SimulatedDecoder.NO_SCORES);
    shortPrompt.decode(1, 4, SimulatedDecoder.NO_SCORES);
    shortPrompt.decode(2, 5, SimulatedDecoder.NO_SCORES);
    assertThat(shortPrompt.workingSet(1).calls()).isEmpty();
    shortPrompt.decode(3, 6, SimulatedDecoder.NO_SCORES);
    shortPrompt.decode(4, 7, SimulatedDecoder.NO_SCORES);
    assertThat(shortPrompt.workingSet(1).positionSet(1)).isEqualTo(positions(0, 1, 4, 5, 6, 7));
  }

  @Test
  void zeroSinksIsAPureSlidingWindow() {
    SimulatedDecoder d = driver(3, 0);
    d.prefill(Phase.PREFILL_END, 0, 5, SimulatedDecoder.NO_SCORES);
    assertThat(d.workingSet(0).positionSet(0)).isEqualTo(positions(2, 3, 4));
    d.decode(0, 5, SimulatedDecoder.NO_SCORES);
    d.decode(1, 6, SimulatedDecoder.NO_SCORES);
    assertThat(d.workingSet(0).positionSet(1)).isEqualTo(positions(4, 5, 6));
  }

  @Test
  void budgetMustExceedSinkTokens() {
    LocalPolicyProvider provider = new LocalPolicyProvider();
    assertThatThrownBy(() -> Providers.create(provider, 4, Map.of(), SHAPE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.budget (4)")
        .hasMessageContaining("ra.policy.local.sink-tokens (4)");
    assertThatThrownBy(() -> Providers.policyConfig(provider, 8, Map.of("sink-tokens", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.policy.local.sink-tokens");
  }
}
