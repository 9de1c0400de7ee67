package org.recycledattention.examples.tova;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;

/**
 * TOVA for one sequence. Prefill chunks attend in full without scores. The last prompt chunk and every
 * decode step attend in full and ask for the newest query's attention, reduced over each KV group;
 * then, per KV head, while the main store holds more than {@code budget} entries the lowest-scored
 * entry is evicted (ties: the oldest position goes first). After the last prompt chunk this drops
 * {@code length - budget} entries at once (a {@code retain} of the {@code budget} best); at a decode
 * step exactly one (an {@code evict}). The current token competes like any other, as in the paper.
 *
 * <p>State: none beyond the configuration, so a new sequence cannot see an old one. Not thread-safe
 * (one instance per sequence, as the SPI says).
 */
final class TovaPolicy implements AttentionPolicy {
  private final int budget;
  private final StepPlan scored;

  TovaPolicy(int budget, GroupReduction reduction) {
    this.budget = budget;
    this.scored = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, requireNonNull(reduction, "reduction is null")));
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return step.phase() == Phase.PREFILL ? StepPlan.Full.NO_SCORES : scored;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    if (step.phase() == Phase.PREFILL || workingSet.length() <= budget) {
      return;
    }
    Scores scores = observation.result().scores();
    if (scores == null) {
      throw new IllegalStateException("tova asked for scores at " + step.phase() + " step " + step.position() + " of layer " + layer + " but got none");
    }
    if (workingSet.length() == budget + 1) {
      int[] victims = new int[workingSet.kvHeads()];
      for (int h = 0; h < victims.length; h++) {
        victims[h] = lowest(scores.toArray(h), workingSet, h);
      }
      workingSet.evict(victims);
    } else {
      workingSet.retain(best(scores, workingSet, budget));
    }
  }

  /** The slot to evict from head {@code h}: lowest score, ties to the oldest position. */
  static int lowest(float[] scores, WorkingSet ws, int h) {
    int victim = 0;
    for (int s = 1; s < ws.length(); s++) {
      if (evictsBefore(scores[s], ws.position(h, s), scores[victim], ws.position(h, victim))) {
        victim = s;
      }
    }
    return victim;
  }

  /** The {@code keep} slots per head that survive, ascending: all but the {@code length - keep} first victims. */
  static Selection best(Scores scores, WorkingSet ws, int keep) {
    int n = ws.length();
    int[][] slots = new int[ws.kvHeads()][keep];
    float[][] kept = new float[ws.kvHeads()][keep];
    for (int h = 0; h < slots.length; h++) {
      float[] s = scores.toArray(h);
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      final int head = h;
      // victims first: the sort puts the keep survivors at the end
      Arrays.sort(order, (a, b) -> evictsBefore(s[a], ws.position(head, a), s[b], ws.position(head, b)) ? -1
          : evictsBefore(s[b], ws.position(head, b), s[a], ws.position(head, a)) ? 1 : 0);
      int[] survivors = new int[keep];
      for (int i = 0; i < keep; i++) {
        survivors[i] = order[n - keep + i];
      }
      Arrays.sort(survivors);
      for (int i = 0; i < keep; i++) {
        slots[h][i] = survivors[i];
        kept[h][i] = s[survivors[i]];
      }
    }
    return new Selection(slots, kept);
  }

  /** Whether an entry (score, position) is evicted before another: lower score, then older position. NaN goes first. */
  private static boolean evictsBefore(float score, int position, float otherScore, int otherPosition) {
    if (Float.isNaN(score) != Float.isNaN(otherScore)) {
      return Float.isNaN(score);
    }
    if (score != otherScore && !Float.isNaN(score)) {
      return score < otherScore;
    }
    return position < otherPosition;
  }
}
