package org.recycledattention.policy.snapkv;

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

class SnapKvPolicyTest {
  private static final ModelShape SHAPE = SimulatedDecoder.shape(1, 4, 2, 2);

  private static SimulatedDecoder driver(int budget, int kernel) {
    return new SimulatedDecoder(Providers.create(new SnapKvPolicyProvider(), budget, Map.of("pool-kernel", Integer.toString(kernel)), SHAPE), SHAPE);
  }

  private static TreeSet<Integer> positions(int... p) {
    return new TreeSet<>(IntStream.of(p).boxed().toList());
  }

  private static TreeSet<Integer> range(int from, int toInclusive) {
    return new TreeSet<>(IntStream.rangeClosed(from, toInclusive).boxed().toList());
  }

  /** Head 0 peaks at 10, head 1 at 3; elsewhere small scores that grow towards the end. */
  private static float peaked(int h, int p) {
    int peak = h == 0 ? 10 : 3;
    return p == peak ? 1f : 0.01f * (p + 1);
  }

  @Test
  void maxPoolingWithKernelSevenKeepsTheNeighboursOfAPeak() {
    SimulatedDecoder d = driver(7, 7);
    StepPlan[] plans = d.prefill(Phase.PREFILL_END, 0, 20, (l, h, p) -> peaked(h, p));
    assertThat(plans).containsOnly(StepPlan.Full.LAST_MAX);
    SimulatedWorkingSet ws = d.workingSet(0);
    assertThat(ws.calls()).singleElement().isInstanceOf(Retain.class);
    assertThat(ws.positionSet(0)).isEqualTo(range(7, 13));
    assertThat(ws.positionSet(1)).isEqualTo(range(0, 6));

    SimulatedDecoder unpooled = driver(7, 1);
    unpooled.prefill(Phase.PREFILL_END, 0, 20, (l, h, p) -> peaked(h, p));
    assertThat(unpooled.workingSet(0).positionSet(0)).isEqualTo(positions(10, 14, 15, 16, 17, 18, 19));
  }

  @Test
  void decodeEvictsTheLowestSelectedThenTheOldestProtected() {
    SimulatedDecoder d = driver(3, 1);
    float[][] prompt = {{0.5f, 0.1f, 0.4f, 0.3f, 0.2f}, {0.25f, 0.25f, 0.25f, 0f, 0f}};
    d.prefill(Phase.PREFILL, 0, 2, SimulatedDecoder.NO_SCORES);
    d.prefill(Phase.PREFILL_END, 2, 3, (l, h, p) -> prompt[h][p]);
    SimulatedWorkingSet ws = d.workingSet(0);
    assertThat(ws.positionSet(0)).isEqualTo(positions(0, 2, 3));
    assertThat(ws.positionSet(1)).isEqualTo(positions(0, 1, 2));

    int[][][] expected = {
        {{0, 2, 5}, {1, 2, 5}}, // head 0: 3 (0.3) goes; head 1: tie at 0.25, the oldest (0) goes
        {{0, 5, 6}, {2, 5, 6}},
        {{5, 6, 7}, {5, 6, 7}}, // every selected token is gone: only protected ones remain
        {{6, 7, 8}, {6, 7, 8}}, // the oldest protected goes
        {{7, 8, 9}, {7, 8, 9}}};
    for (int step = 0; step < expected.length; step++) {
      ws.clearCalls();
      assertThat(d.decode(step, 5 + step, SimulatedDecoder.NO_SCORES)).containsOnly(StepPlan.Full.NO_SCORES);
      assertThat(ws.calls()).singleElement().isInstanceOf(Evict.class);
      assertThat(ws.positionSet(0)).as("step %d head 0", step).isEqualTo(positions(expected[step][0]));
      assertThat(ws.positionSet(1)).as("step %d head 1", step).isEqualTo(positions(expected[step][1]));
    }
  }

  @Test
  void aShortPromptKeepsEverythingAndGrowsToTheBudget() {
    SimulatedDecoder d = driver(4, 3);
    d.prefill(Phase.PREFILL_END, 0, 2, (l, h, p) -> p == 0 ? 0.25f : 0.75f);
    SimulatedWorkingSet ws = d.workingSet(0);
    assertThat(ws.calls()).isEmpty();
    d.decode(0, 2, SimulatedDecoder.NO_SCORES);
    d.decode(1, 3, SimulatedDecoder.NO_SCORES);
    assertThat(ws.calls()).isEmpty();
    d.decode(2, 4, SimulatedDecoder.NO_SCORES);
    // pooled with kernel 3, both prompt tokens score 0.75: the tie goes to the older
    assertThat(ws.positionSet(0)).isEqualTo(positions(1, 2, 3, 4));
    d.decode(3, 5, SimulatedDecoder.NO_SCORES);
    d.decode(4, 6, SimulatedDecoder.NO_SCORES);
    assertThat(ws.positionSet(1)).isEqualTo(positions(3, 4, 5, 6));
  }

  @Test
  void poolKernelMustBeOddAndPositive() {
    SnapKvPolicyProvider provider = new SnapKvPolicyProvider();
    for (String bad : new String[] {"0", "-1", "2", "8", "seven"}) {
      assertThatThrownBy(() -> Providers.policyConfig(provider, 8, Map.of("pool-kernel", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("ra.policy.snapkv.pool-kernel")
          .hasMessageContaining("odd");
    }
    assertThat(Providers.policyConfig(provider, 8, Map.of("pool-kernel", "1")).properties().get(SnapKvPolicyProvider.POOL_KERNEL)).isEqualTo(1);
  }
}
