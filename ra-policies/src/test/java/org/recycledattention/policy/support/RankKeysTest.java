package org.recycledattention.policy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankKeysTest {
  private static final long SEED = 0x5eed_2411L;

  @Test
  void keysOrderByScoreThenTieBreak() {
    Random random = new Random(SEED);
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(40);
      float[] score = new float[n];
      for (int i = 0; i < n; i++) {
        // few distinct values, so ties are common; some negative, some zero of either sign
        score[i] = switch (random.nextInt(6)) {
          case 0 -> -0.0f;
          case 1 -> 0.0f;
          case 2 -> Float.POSITIVE_INFINITY;
          default -> (random.nextInt(7) - 3) / 4f;
        };
      }
      Integer[] expected = IntStream.range(0, n).boxed().toArray(Integer[]::new);
      Arrays.sort(expected, Comparator.<Integer>comparingDouble(i -> score[i] == 0 ? 0f : score[i]).thenComparingInt(i -> i));

      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = RankKeys.key(score[i], i);
      }
      Arrays.sort(keys);
      int[] popped = new int[n];
      for (int i = 0; i < n; i++) {
        popped[i] = RankKeys.tieBreak(keys[i]);
      }
      assertThat(popped).as("seed %d round %d scores %s", SEED, round, Arrays.toString(score))
          .containsExactly(Arrays.stream(expected).mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void nanRanksLowest() {
    assertThat(RankKeys.key(Float.NaN, 5)).isLessThan(RankKeys.key(Float.NEGATIVE_INFINITY, 0));
  }
}
