package org.recycledattention.examples.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.tests.ArrayScores;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedWorkingSet;

/** The trace on hand-made scores, where every number can be worked out by hand. */
class TraceLinesTest {
  private static final ModelShape SHAPE = new ModelShape(1, 4, 2, 8, 4096);

  @TempDir
  Path tmp;

  private static AttentionPolicy trace(int budget, Map<String, String> keys) {
    TracePolicyProvider p = new TracePolicyProvider();
    return p.create(Providers.policyConfig(p, budget, keys), SHAPE);
  }

  private static void observe(AttentionPolicy policy, Phase phase, int position, SimulatedWorkingSet ws, float[]... scores) {
    DecodeStep s = new DecodeStep(phase, position, phase == Phase.DECODE ? 0 : -1, 1, new float[SHAPE.queryHeads() * SHAPE.headDim()]);
    StepPlan plan = policy.plan(0, s);
    assertThat(plan).isInstanceOf(StepPlan.Full.class);
    policy.observe(0, s, new Observation(plan, new AttentionResult(ws.length(), ArrayScores.of(scores))), ws);
  }

  @Test
  void reportsWhatThePromptEndSelectionCoversAtADecodeStep() throws Exception {
    Path file = tmp.resolve("trace.txt");
    AttentionPolicy trace = trace(2, Map.of("file", file.toString(), "pool-kernel", "1", "top", "2"));
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 2).appendRange(0, 6);
    // the prompt's last token: head 0 keeps positions 2 and 4, head 1 keeps 0 and 1
    observe(trace, Phase.PREFILL_END, 5, ws, new float[] {0, 0, 0.7f, 0.1f, 0.2f, 0}, new float[] {0.5f, 0.4f, 0, 0, 0.1f, 0});
    ws.append(6);
    // decoding: head 0 reads position 2 and the decoded token (covered), head 1 reads position 4 (not covered)
    observe(trace, Phase.DECODE, 6, ws, new float[] {0.1f, 0, 0.3f, 0.2f, 0, 0, 0.4f}, new float[] {0, 0, 0, 0, 0.9f, 0, 0.1f});
    assertThat(Files.readAllLines(file)).containsExactly(
        "prompt-end layer=0 kv-head=0 top=2:0.70,4:0.20",
        "prompt-end layer=0 kv-head=1 top=0:0.50,1:0.40",
        "decode step=0 layer=0 kv-head=0 argmax=6:0.40 best-k=0.70 covered=0.70",
        "decode step=0 layer=0 kv-head=1 argmax=4:0.90 best-k=1.00 covered=0.10");
  }

  @Test
  void positionsNeedNotStartAtZero() throws Exception {
    Path file = tmp.resolve("trace.txt");
    AttentionPolicy trace = trace(1, Map.of("file", file.toString(), "pool-kernel", "1", "top", "1"));
    SimulatedWorkingSet ws = new SimulatedWorkingSet(0, 1).appendRange(100, 103); // a sequence resumed at position 100
    observe(trace, Phase.PREFILL_END, 102, ws, new float[] {0.1f, 0.8f, 0.1f});
    ws.append(103);
    observe(trace, Phase.DECODE, 103, ws, new float[] {0.2f, 0.3f, 0.1f, 0.4f});
    assertThat(Files.readAllLines(file)).containsExactly(
        "prompt-end layer=0 kv-head=0 top=101:0.80",
        "decode step=0 layer=0 kv-head=0 argmax=103:0.40 best-k=0.40 covered=0.70");
  }

  @Test
  void anEvenPoolingKernelIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> trace(2, Map.of("pool-kernel", "4"))).isInstanceOf(ConfigException.class).hasMessageContaining("ra.policy.trace.pool-kernel");
  }
}
