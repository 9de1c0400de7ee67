package org.recycledattention.eval.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;
import org.recycledattention.model.llama.LlamaModel;

class FidelityRunnerTest {
  private static final List<String> POLICIES = List.of("full", "local", "h2o", "snapkv", "recycled");

  private static int[] stream(int n, long seed) {
    Random r = new Random(seed);
    int[] s = new int[n];
    s[0] = 1;
    for (int i = 1; i < n; i++) {
      s[i] = 3 + r.nextInt(500);
    }
    return s;
  }

  @Test
  void budgetAtLeastTheStreamGivesExactlyFullAttentionsNumbers() {
    try (LlamaModel model = SyntheticModels.build(SyntheticSpec.parse("synthetic:tiny")); KvCacheBackend backend = Runtimes.cpu()) {
      List<PolicyFidelity> result = new FidelityRunner(model, backend, 1)
          .run(Runtimes.policy("full", 512), POLICIES.stream().map(p -> Runtimes.policy(p, 512)).toList(), stream(80, 3), 20, i -> {});
      assertThat(result).hasSize(5);
      for (PolicyFidelity f : result) {
        assertThat(f.agreement()).as(f.policy()).isEqualTo(1.0);
        assertThat(f.meanKl()).as(f.policy()).isEqualTo(0.0);
        assertThat(f.maxKl()).as(f.policy()).isEqualTo(0.0);
        assertThat(f.perplexity()).as(f.policy()).isEqualTo(result.get(0).perplexity());
        assertThat(f.steps()).isEqualTo(80 - 20 - 1);
      }
    }
  }

  @Test
  void aSmallBudgetDepartsFromFullAttentionAndAttendsFewerTokens() {
    try (LlamaModel model = SyntheticModels.build(SyntheticSpec.parse("synthetic:tiny")); KvCacheBackend backend = Runtimes.cpu()) {
      List<PolicyFidelity> result = new FidelityRunner(model, backend, 1)
          .run(Runtimes.policy("full", 16), POLICIES.stream().map(p -> Runtimes.policy(p, 16)).toList(), stream(120, 4), 60, i -> {});
      PolicyFidelity full = result.get(0);
      assertThat(full.fullStepShare()).isEqualTo(1.0);
      for (PolicyFidelity f : result.subList(1, 5)) {
        assertThat(f.meanKl()).as(f.policy()).isGreaterThan(0.0);
        assertThat(f.meanTokensAttended()).as(f.policy()).isLessThan(full.meanTokensAttended());
      }
      PolicyFidelity recycled = result.get(4);
      // stride 10: one decode step in ten is full, for every layer
      assertThat(recycled.fullStepShare()).isBetween(0.05, 0.15);
    }
  }
}
