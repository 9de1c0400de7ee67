package org.recycledattention.eval.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyFidelityTest {
  @Test
  void combiningWeighsByStepsAndKeepsTheLargestKl() {
    PolicyFidelity a = new PolicyFidelity("local", 10, 1.0, 0.0, 0.0, 2.0, 64, 1.0);
    PolicyFidelity b = new PolicyFidelity("local", 30, 0.6, 0.4, 3.0, 8.0, 32, 0.0);
    PolicyFidelity c = PolicyFidelity.combine(List.of(a, b));
    assertThat(c.policy()).isEqualTo("local");
    assertThat(c.steps()).isEqualTo(40);
    assertThat(c.agreement()).isCloseTo(0.7, within(1e-12));
    assertThat(c.meanKl()).isCloseTo(0.3, within(1e-12));
    assertThat(c.maxKl()).isEqualTo(3.0);
    // pooled NLL: (10 ln 2 + 30 ln 8) / 40 = 2.5 ln 2
    assertThat(c.perplexity()).isCloseTo(Math.pow(2, 2.5), within(1e-9));
    assertThat(c.meanTokensAttended()).isCloseTo(40, within(1e-12));
    assertThat(c.fullStepShare()).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void oneStreamIsItself() {
    PolicyFidelity a = new PolicyFidelity("recycled", 12, 0.5, 0.25, 1.5, 3.0, 20, 0.1);
    PolicyFidelity c = PolicyFidelity.combine(List.of(a));
    assertThat(c.agreement()).isEqualTo(a.agreement());
    assertThat(c.perplexity()).isCloseTo(3.0, within(1e-12));
  }

  @Test
  void mixedPoliciesOrNothingAreErrors() {
    PolicyFidelity a = new PolicyFidelity("local", 1, 1, 0, 0, 1, 1, 1);
    PolicyFidelity b = new PolicyFidelity("h2o", 1, 1, 0, 0, 1, 1, 1);
    assertThatThrownBy(() -> PolicyFidelity.combine(List.of(a, b))).hasMessageContaining("local").hasMessageContaining("h2o");
    assertThatThrownBy(() -> PolicyFidelity.combine(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
