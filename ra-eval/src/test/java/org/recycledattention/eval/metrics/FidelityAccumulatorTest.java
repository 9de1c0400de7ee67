package org.recycledattention.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FidelityAccumulatorTest {
  @Test
  void identicalDistributionsGiveZeroKlAndFullAgreement() {
    Random r = new Random(1);
    FidelityAccumulator acc = new FidelityAccumulator(50);
    for (int s = 0; s < 20; s++) {
      float[] logits = new float[50];
      for (int i = 0; i < 50; i++) {
        logits[i] = (float) r.nextGaussian() * 3;
      }
      acc.add(logits, logits.clone(), r.nextInt(50));
    }
    assertThat(acc.meanKl()).isEqualTo(0.0);
    assertThat(acc.maxKl()).isEqualTo(0.0);
    assertThat(acc.agreement()).isEqualTo(1.0);
    assertThat(acc.steps()).isEqualTo(20);
  }

  @Test
  void klOfTwoPointDistributionsMatchesTheFormula() {
    // p = (0.75, 0.25), q = (0.5, 0.5): KL = 0.75 ln 1.5 + 0.25 ln 0.5
    float[] p = {(float) Math.log(3), 0f};
    float[] q = {0f, 0f};
    FidelityAccumulator acc = new FidelityAccumulator(2);
    acc.add(p, q, 1);
    double expected = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    assertThat(acc.meanKl()).isCloseTo(expected, within(1e-7));
    // argmax of q is index 0 (first on ties), same as p
    assertThat(acc.agreement()).isEqualTo(1.0);
    // perplexity of token 1 under q = 1 / 0.5
    assertThat(acc.perplexity()).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void disagreementIsCounted() {
    FidelityAccumulator acc = new FidelityAccumulator(3);
    acc.add(new float[] {3, 1, 0}, new float[] {3, 1, 0}, -1);
    acc.add(new float[] {3, 1, 0}, new float[] {0, 1, 3}, -1);
    assertThat(acc.agreement()).isEqualTo(0.5);
    assertThat(acc.maxKl()).isGreaterThan(1.0);
    assertThat(acc.perplexity()).isNaN();
  }

  @Test
  void marginIsTopOneMinusTopTwo() {
    assertThat(Distributions.top1Top2Margin(new float[] {1f, 5f, 4.5f, -2f})).isCloseTo(0.5, within(1e-9));
  }
}
