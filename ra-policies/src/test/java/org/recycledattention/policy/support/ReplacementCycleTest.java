package org.recycledattention.policy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.Selection;

/**
 * {@link ReplacementCycle} against the rule it implements, scanned naively: give up the entry with
 * the lowest (selection score, age), newcomers scoring +inf, each newcomer taking the freed slot.
 */
class ReplacementCycleTest {
  private static final long SEED = 0xC1C1E5L;

  @Test
  void matchesTheLowestScoreThenOldestRuleThroughGrowthAndReRanking() {
    Random random = new Random(SEED);
    for (int round = 0; round < 300; round++) {
      int heads = 1 + random.nextInt(3);
      int capacity = 1 + random.nextInt(12);
      ReplacementCycle cycle = new ReplacementCycle(heads, capacity);
      float[][] score = new float[heads][capacity];
      long[][] age = new long[heads][capacity]; // insertion time of the entry in each slot
      int size = 0;
      long time = 0;
      int[] slots = new int[heads];
      for (int step = 0; step < 60; step++) {
        String where = "seed " + SEED + " round " + round + " step " + step;
        if (step == 0 || random.nextInt(9) == 0) { // a selection: m entries in position order, ranked
          int m = 1 + random.nextInt(capacity);
          int[][] sel = new int[heads][m];
          float[][] sc = new float[heads][m];
          for (int h = 0; h < heads; h++) {
            for (int i = 0; i < m; i++) {
              sel[h][i] = i;
              sc[h][i] = random.nextInt(4) / 4f; // ties are common
              score[h][i] = sc[h][i];
              age[h][i] = time + i;
            }
          }
          time += m;
          size = m;
          cycle.rank(new Selection(sel, sc));
          continue;
        }
        long now = time++;
        if (size < capacity) { // growth: the newcomer is appended
          for (int h = 0; h < heads; h++) {
            score[h][size] = Float.POSITIVE_INFINITY;
            age[h][size] = now;
          }
          size++;
          continue;
        }
        cycle.next(slots);
        for (int h = 0; h < heads; h++) {
          int victim = 0;
          for (int s = 1; s < capacity; s++) {
            if (score[h][s] < score[h][victim] || (score[h][s] == score[h][victim] && age[h][s] < age[h][victim])) {
              victim = s;
            }
          }
          assertThat(slots[h]).as(where + " head " + h).isEqualTo(victim);
          score[h][victim] = Float.POSITIVE_INFINITY;
          age[h][victim] = now;
        }
      }
    }
  }
}
