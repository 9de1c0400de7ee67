package org.recycledattention.policy.full;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;

class FullPolicyTest {
  @Test
  void attendsEverythingAndNeverTouchesTheWorkingSet() {
    ModelShape shape = SimulatedDecoder.shape(2, 2, 1, 2);
    SimulatedDecoder d = new SimulatedDecoder(Providers.create(new FullPolicyProvider(), 2, Map.of(), shape), shape);
    assertThat(d.prefill(Phase.PREFILL, 0, 3, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Full.NO_SCORES);
    assertThat(d.prefill(Phase.PREFILL_END, 3, 3, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Full.NO_SCORES);
    for (int step = 0; step < 5; step++) {
      assertThat(d.decode(step, 6 + step, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Full.NO_SCORES);
    }
    assertThat(d.workingSet(1).calls()).isEmpty();
    assertThat(d.workingSet(1).length()).isEqualTo(11); // the budget of 2 is ignored
  }
}
