package org.recycledattention.api.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreMathTest {
  @Test
  void maxPoolingEqualsTheDirectDefinitionBitForBit() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    float[] specials = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
    for (int length = 1; length <= 40; length++) {
      for (int kernel = 1; kernel <= 15; kernel += 2) {
        for (int trial = 0; trial < 5; trial++) {
          float[] in = new float[length + 3]; // longer than length: the tail must be ignored
          for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(8) == 0 ? specials[r.nextInt(specials.length)] : (float) r.nextInt(5) - 2;
          }
          float[] expected = new float[length];
          int radius = kernel / 2;
          for (int j = 0; j < length; j++) {
            float m = in[Math.max(0, j - radius)];
            for (int i = Math.max(0, j - radius) + 1; i <= Math.min(length - 1, j + radius); i++) {
              m = Math.max(m, in[i]);
            }
            expected[j] = m;
          }
          float[] out = new float[length];
          ScoreMath.maxPool(in, length, kernel, out);
          for (int j = 0; j < length; j++) {
            assertThat(Float.floatToRawIntBits(out[j])).as("length %d kernel %d slot %d", length, kernel, j)
                .isEqualTo(Float.floatToRawIntBits(expected[j]));
          }
        }
      }
    }
  }

  @Test
  void maxPoolingWithKernelSevenSpreadsAPeakToItsNeighbours() {
    float[] s = new float[12];
    s[6] = 1f;
    float[] out = new float[12];
    ScoreMath.maxPool(s, 12, 7, out);
    assertThat(out).containsExactly(0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0);
  }

  @Test
  void topKWithPoolingSelectsThePeakAndItsNeighbours() {
    float[] s = new float[20];
    s[10] = 0.9f;
    s[2] = 0.05f;
    float[] pooled = new float[20];
    float[] sel = new float[7];
    int[] top = ScoreMath.topK(s, 20, 7, 7, 0, pooled, sel);
    assertThat(top).containsExactly(7, 8, 9, 10, 11, 12, 13);
    assertThat(sel).containsOnly(0.9f);
  }

  @Test
  void tiesGoToTheLowerSlotAndRecentSlotsAreKept() {
    float[] s = {0.5f, 0.5f, 0.5f, 0.5f, 0.1f, 0.2f};
    float[] pooled = new float[6];
    float[] sel = new float[3];
    assertThat(ScoreMath.topK(s, 6, 3, 1, 0, pooled, sel)).containsExactly(0, 1, 2);
    assertThat(ScoreMath.topK(s, 6, 3, 1, 2, pooled, sel)).containsExactly(0, 4, 5);
    assertThat(sel).containsExactly(0.5f, 0.1f, 0.2f);
  }

  @Test
  void budgetAtLeastLengthSelectsEverythingInOrder() {
    float[] s = {0.3f, 0.1f, 0.6f};
    assertThat(ScoreMath.topK(s, 3, 10, 7, 0, new float[3], new float[3])).containsExactly(0, 1, 2);
  }

  @Test
  void topKAgreesWithSortingOnRandomScores() {
    Random r = new Random(42);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + r.nextInt(300);
      int k = 1 + r.nextInt(n + 5);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = r.nextInt(20) / 20f; // many ties on purpose
      }
      if (r.nextInt(10) == 0) {
        s[r.nextInt(n)] = Float.NaN;
      }
      int recent = r.nextInt(4) == 0 ? r.nextInt(n + 1) : 0;
      float[] pooled = new float[n];
      int[] got = ScoreMath.topK(s, n, k, 1, recent, pooled, new float[Math.min(k, n)]);
      int keep = Math.min(recent, Math.min(k, n));
      Integer[] idx = new Integer[n - keep];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      // reference: rank by score (NaN lowest), ties to the lower slot; the last `keep` slots always in
      Arrays.sort(idx, (a, b) -> {
        float x = Float.isNaN(s[a]) ? Float.NEGATIVE_INFINITY : s[a];
        float y = Float.isNaN(s[b]) ? Float.NEGATIVE_INFINITY : s[b];
        return x != y ? Float.compare(y, x) : Integer.compare(a, b);
      });
      int[] expected = java.util.stream.IntStream.concat(Arrays.stream(idx).limit(Math.min(k, n) - keep).mapToInt(Integer::intValue),
          java.util.stream.IntStream.range(n - keep, n)).sorted().toArray();
      assertThat(got).as("trial %d n=%d k=%d recent=%d", trial, n, k, recent).containsExactly(expected);
    }
  }

  @Test
  void evenKernelIsRejected() {
    assertThatThrownBy(() -> ScoreMath.maxPool(new float[3], 3, 4, new float[3])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void selectionRejectsUnsortedOrRaggedInput() {
    assertThatThrownBy(() -> new Selection(new int[][] {{2, 1}}, new float[][] {{0, 0}})).hasMessageContaining("ascending");
    assertThatThrownBy(() -> new Selection(new int[][] {{1}, {1, 2}}, new float[][] {{0}, {0, 0}})).hasMessageContaining("same number");
  }
}
