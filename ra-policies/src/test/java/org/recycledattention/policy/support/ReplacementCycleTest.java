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
    check(300, 12, 60, 9);
  }

  /** Long runs between rankings at larger capacities: every stage of the lazy order, and its restart after a whole cycle. */
  @Test
  void matchesTheRuleOverWholeCyclesOfLargeStores() {
    check(40, 300, 900, 300);
  }

  private static void check(int rounds, int maxCapacity, int steps, int rankEvery) {
    Random random = new Random(SEED);
    for (int round = 0; round < rounds; round++) {
      int heads = 1 + random.nextInt(3);
      int capacity = 1 + random.nextInt(maxCapacity);
      ReplacementCycle cycle = new ReplacementCycle(heads, capacity);
      float[][] score = new float[heads][capacity];
      long[][] age = new long[heads][capacity]; // insertion time of the entry in each slot
      int size = 0;
      long time = 0;
      int[] slots = new int[heads];
      for (int step = 0; step < steps; step++) {
        String where = "seed " + SEED + " round " + round + " step " + step;
        if (step == 0 || random.nextInt(rankEvery) == 0) { // a selection: m entries in position order, ranked
          int m = 1 + random.nextInt(capacity);
          int[][] sel = new int[heads][m];
          float[][] sc = new float[heads][m];
          for (int h = 0; h < heads; h++) {
            for (int i = 0; i < m; i++) {
              sel[h][i] = i;
              sc[h][i] = random.nextInt(50) == 0 ? Float.NaN : random.nextInt(4) / 4f; // ties are common; NaN ranks lowest
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
            if (lower(score[h][s], score[h][victim]) || (same(score[h][s], score[h][victim]) && age[h][s] < age[h][victim])) {
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

  private static boolean lower(float a, float b) {
    return Float.isNaN(a) ? !Float.isNaN(b) : !Float.isNaN(b) && a < b;
  }

  private static boolean same(float a, float b) {
    return Float.isNaN(a) ? Float.isNaN(b) : a == b;
  }
}
