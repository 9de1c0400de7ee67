package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.ScoreMath;

/** The fast top-K selects exactly what the reference definition ({@link ScoreMath#topK}) selects. */
class TopKTest {
  private static final float[] SPECIAL = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
      1f, -1f, Float.MAX_VALUE};

  private static final float[] NON_POSITIVE = {-0f, -0f, -0f, -1f, Float.NEGATIVE_INFINITY, Float.NaN, 0f};

  /** Scores with many ties (values from a small set), special values, or plain random ones. */
  private static float[] scores(SplittableRandom random, int length) {
    float[] s = new float[length];
    int style = random.nextInt(5);
    for (int i = 0; i < length; i++) {
      s[i] = switch (style) {
        case 0 -> random.nextInt(5) / 4f;
        case 1 -> random.nextInt(8) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : (float) random.nextDouble();
        case 2 -> (float) Math.exp(-20 * random.nextDouble()); // softmax-like: positive, many magnitudes
        case 3 -> NON_POSITIVE[random.nextInt(NON_POSITIVE.length)]; // signed zeros that survive pooling
        default -> (float) (random.nextDouble() - 0.5);
      };
    }
    return s;
  }

  @Test
  void selectionEqualsTheReferenceForTiesNansZerosAndEveryShape() {
    SplittableRandom random = new SplittableRandom(31);
    TopK topK = new TopK();
    for (int trial = 0; trial < 3000; trial++) {
      int length = trial % 10 == 0 ? 1 + random.nextInt(5000) : 1 + random.nextInt(120);
      float[] s = scores(random, length);
      int k = random.nextInt(length + 3);
      int kernel = 1 + 2 * random.nextInt(8);
      int keepRecent = random.nextInt(4) == 0 ? random.nextInt(k + 2) : 0;
      float[] expectedScores = new float[Math.min(k, length)];
      int[] expected = ScoreMath.topK(s, length, k, kernel, keepRecent, new float[length], expectedScores);
      float[] actualScores = new float[Math.min(k, length)];
      int[] actual = topK.select(s.clone(), length, k, kernel, keepRecent, actualScores);
      String what = "trial " + trial + ": length " + length + " k " + k + " kernel " + kernel + " keepRecent " + keepRecent;
      assertThat(actual).as(what).containsExactly(expected);
      for (int i = 0; i < expected.length; i++) {
        assertThat(Float.floatToIntBits(actualScores[i])).as(what + " score " + i).isEqualTo(Float.floatToIntBits(expectedScores[i]));
      }
    }
  }

  /** Long rows take the sampled bound; periodic spikes that the sample sees alone push the bound too high and force the fallback. */
  @Test
  void longRowsAndMisleadingSamplesSelectAsTheReference() {
    SplittableRandom random = new SplittableRandom(32);
    TopK topK = new TopK();
    for (int trial = 0; trial < 40; trial++) {
      int length = 4096 + random.nextInt(40000);
      float[] s = trial % 4 == 0 ? scores(random, length) : new float[length];
      if (trial % 4 != 0) {
        int period = 1 << (1 + random.nextInt(7)); // the sample's stride is length / 1024: some periods are multiples of it
        for (int i = 0; i < length; i++) {
          s[i] = i % period == 0 ? 1f : trial % 4 == 1 ? 0f : (float) random.nextDouble() * 0.5f;
        }
      }
      int k = 1 + random.nextInt(length / 4);
      int kernel = 1 + 2 * random.nextInt(4);
      float[] expectedScores = new float[k];
      int[] expected = ScoreMath.topK(s, length, k, kernel, 0, new float[length], expectedScores);
      float[] actualScores = new float[k];
      int[] actual = topK.select(s, length, k, kernel, 0, actualScores);
      assertThat(actual).as("trial %d length %d k %d kernel %d", trial, length, k, kernel).containsExactly(expected);
      assertThat(actualScores).containsExactly(expectedScores);
    }
  }

  @Test
  void rankOrdersAsScoreMathCompares() {
    for (float a : SPECIAL) {
      for (float b : SPECIAL) {
        float ra = Float.isNaN(a) ? Float.NEGATIVE_INFINITY : a;
        float rb = Float.isNaN(b) ? Float.NEGATIVE_INFINITY : b;
        assertThat(Integer.compare(TopK.rank(a), TopK.rank(b))).as("%s vs %s", a, b).isEqualTo(Float.compare(ra + 0f, rb + 0f) == 0 || ra == rb
            ? 0 : (ra > rb ? 1 : -1));
      }
    }
  }
}
