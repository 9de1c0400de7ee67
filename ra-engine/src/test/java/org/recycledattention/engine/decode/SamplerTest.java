package org.recycledattention.engine.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float[] LOGITS = {2f, 1f, 0f, -1f};

  private static double[] frequencies(SamplingConfig config, int draws) {
    Sampler s = new Sampler(config);
    double[] f = new double[LOGITS.length];
    for (int i = 0; i < draws; i++) {
      f[s.sample(LOGITS)] += 1.0 / draws;
    }
    return f;
  }

  private static double[] softmax(float[] logits, double temperature, int keep) {
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      p[i] = Math.exp(logits[i] / temperature);
      sum += p[i];
    }
    for (int i = 0; i < keep; i++) {
      p[i] /= sum;
    }
    return p;
  }

  @Test
  void greedyTakesTheFirstIndexOnTies() {
    assertThat(Sampler.argmax(new float[] {0f, 3f, 1f, 3f})).isEqualTo(1);
    assertThat(new Sampler(SamplingConfig.GREEDY).sample(new float[] {5f, 5f, 5f})).isZero();
    assertThat(Sampler.argmax(new float[] {Float.NaN, -1f, -2f})).isEqualTo(1);
  }

  @Test
  void temperatureSamplingFollowsTheSoftmax() {
    long seed = 1234;
    assertThat(frequencies(new SamplingConfig(1.0, 0, 1.0, seed), 40_000)).as("seed %d", seed).containsExactly(softmax(LOGITS, 1.0, 4), within(0.01));
    assertThat(frequencies(new SamplingConfig(0.5, 0, 1.0, seed), 40_000)).as("seed %d", seed).containsExactly(softmax(LOGITS, 0.5, 4), within(0.01));
  }

  @Test
  void topKKeepsTheKMostLikelyTokens() {
    assertThat(frequencies(new SamplingConfig(1.0, 2, 1.0, 99), 40_000)).containsExactly(softmax(LOGITS, 1.0, 2), within(0.01));
  }

  @Test
  void topPKeepsTheSmallestPrefixReachingP() {
    // p = (0.644, 0.237, 0.087, 0.032): 0.5 keeps one token, 0.85 keeps two
    assertThat(frequencies(new SamplingConfig(1.0, 0, 0.5, 5), 5_000)).containsExactly(new double[] {1, 0, 0, 0}, within(1e-9));
    assertThat(frequencies(new SamplingConfig(1.0, 0, 0.85, 5), 40_000)).containsExactly(softmax(LOGITS, 1.0, 2), within(0.01));
  }

  @Test
  void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
    float[] flat = new float[64];
    int[] a = new int[200];
    int[] b = new int[200];
    int[] c = new int[200];
    Sampler sa = new Sampler(new SamplingConfig(1.0, 0, 1.0, 7));
    Sampler sb = new Sampler(new SamplingConfig(1.0, 0, 1.0, 7));
    Sampler sc = new Sampler(new SamplingConfig(1.0, 0, 1.0, 8));
    for (int i = 0; i < 200; i++) {
      a[i] = sa.sample(flat);
      b[i] = sb.sample(flat);
      c[i] = sc.sample(flat);
    }
    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
  }
}
