package org.recycledattention.engine.crossbackend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * Teacher-forces a policy's discrete decisions from one backend (the leader, cpu) onto another (the
 * follower), as the token stream is teacher-forced, so that two backends can be compared at a tight
 * logit tolerance over a whole run of a selecting or evicting policy.
 *
 * <p>Why: a top-K selection or an eviction is a discontinuous function of the scores. Two backends
 * compute the scores in different orders and agree to about 1e-7 (f32), but the scores of two
 * different entries may be as close as that: at such a near-tie the backends legitimately choose
 * different entries, and every later logit differs by far more than rounding (seen: the 64th and
 * 65th pooled scores of a head 0.02612785 and 0.02612776 on cpu, the other way round on onnx; an
 * eviction between 0.0284930244 and 0.0284930933). Comparing from there on would test luck.
 *
 * <p>What is still checked, at every observation that carries scores:
 * <ul>
 *   <li>the follower's scores agree with the leader's within {@code scoreTolerance} (absolute);
 *   <li>each backend's own {@code Scores.topK} is exactly {@link ScoreMath#topK} of its own scores
 *       (the selection contract, ties to the lower slot; this is what would catch a backend whose
 *       fast selection breaks ties differently);
 *   <li>the follower's policy then sees the leader's scores (an {@link Scores} over copies of them),
 *       so it makes the leader's decisions, and the logits of both sessions must agree at the f32
 *       tolerance; a decision the follower's own scores would have made differently is counted
 *       ({@link #divergentDecisions}): since both selections are exact functions of scores within the
 *       tolerance, such a difference can only be a near-tie.
 * </ul>
 * The leader's policy keeps its backend's own {@link Selection} objects (the cpu backend's fast
 * gather path is exercised as in production). Sessions must step in lock-step, leader first at each
 * step (observations are matched per layer, in order). Not thread-safe.
 */
final class LockstepDecisions {
  private final double scoreTolerance;
  private final Map<Integer, ArrayDeque<float[][]>> pending = new HashMap<>();
  private int forced;
  private int divergent;

  LockstepDecisions(double scoreTolerance) {
    this.scoreTolerance = scoreTolerance;
  }

  /** Observations whose scores the follower's policy took from the leader. */
  int forcedObservations() {
    return forced;
  }

  /** Selections the follower's own scores would have made differently (near-ties). */
  int divergentDecisions() {
    return divergent;
  }

  /** The leader's policy: unchanged, but its scores are recorded and its selections checked. */
  AttentionPolicyProvider leader(AttentionPolicyProvider provider) {
    return new Wrapped(provider, true);
  }

  /** The follower's policy: decides from the leader's scores of the same layer and step. */
  AttentionPolicyProvider follower(AttentionPolicyProvider provider) {
    return new Wrapped(provider, false);
  }

  private static float[][] rows(Scores scores) {
    float[][] rows = new float[scores.kvHeads()][];
    for (int h = 0; h < rows.length; h++) {
      rows[h] = scores.toArray(h);
    }
    return rows;
  }

  /** {@link ScoreMath#topK} over host rows. */
  static Selection reference(float[][] rows, int k, int poolKernel, int keepRecent) {
    int length = rows[0].length;
    int n = Math.min(k, length);
    int[][] slots = new int[rows.length][];
    float[][] selected = new float[rows.length][n];
    float[] pooled = new float[length];
    for (int h = 0; h < rows.length; h++) {
      slots[h] = ScoreMath.topK(rows[h], length, k, poolKernel, keepRecent, pooled, selected[h]);
    }
    return new Selection(slots, selected);
  }

  private void checkSelection(String who, Selection got, float[][] rows, int k, int poolKernel, int keepRecent) {
    Selection want = reference(rows, k, poolKernel, keepRecent);
    for (int h = 0; h < rows.length; h++) {
      assertThat(got.slots(h)).as("%s backend's topK(%d, %d, %d) of KV head %d vs ScoreMath.topK of its own scores", who, k, poolKernel,
          keepRecent, h).containsExactly(want.slots(h));
    }
  }

  private void record(int layer, float[][] rows) {
    pending.computeIfAbsent(layer, l -> new ArrayDeque<>()).addLast(rows);
  }

  private float[][] take(int layer, float[][] own) {
    ArrayDeque<float[][]> queue = pending.get(layer);
    assertThat(queue).as("the leader's scores of layer %d (sessions must step in lock-step, leader first)", layer).isNotNull().isNotEmpty();
    float[][] lead = queue.removeFirst();
    assertThat(own.length).as("KV heads of the scores of layer %d", layer).isEqualTo(lead.length);
    for (int h = 0; h < own.length; h++) {
      assertThat(own[h].length).as("scores of layer %d, KV head %d: length", layer, h).isEqualTo(lead[h].length);
      for (int j = 0; j < own[h].length; j++) {
        double d = Math.abs(own[h][j] - lead[h][j]);
        if (!(d <= scoreTolerance)) {
          throw new AssertionError("score of layer " + layer + ", KV head " + h + ", slot " + j + " is " + own[h][j] + ", the leader's "
              + lead[h][j] + " (|diff| " + d + " > " + scoreTolerance + ")");
        }
      }
    }
    return lead;
  }

  private final class Wrapped implements AttentionPolicyProvider {
    private final AttentionPolicyProvider delegate;
    private final boolean leader;

    Wrapped(AttentionPolicyProvider delegate, boolean leader) {
      this.delegate = delegate;
      this.leader = leader;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public String description() {
      return delegate.description();
    }

    @Override
    public List<ConfigProperty<?>> properties() {
      return delegate.properties();
    }

    @Override
    public boolean usesBudget() {
      return delegate.usesBudget();
    }

    @Override
    public Set<BackendCapability> requiredCapabilities() {
      return delegate.requiredCapabilities();
    }

    @Override
    public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
      AttentionPolicy policy = delegate.create(config, shape);
      return new AttentionPolicy() {
        @Override
        public StepPlan plan(int layer, DecodeStep step) {
          return policy.plan(layer, step);
        }

        @Override
        public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
          Scores scores = observation.result().scores();
          if (scores == null) {
            policy.observe(layer, step, observation, workingSet);
            return;
          }
          float[][] own = rows(scores);
          Scores seen;
          if (leader) {
            record(layer, own);
            seen = new Checked(scores, own, own, "the leader");
          } else {
            forced++;
            seen = new Checked(scores, own, take(layer, own), "the follower");
          }
          policy.observe(layer, step, new Observation(observation.plan(), new AttentionResult(observation.result().attendedTokens(), seen)),
              workingSet);
        }
      };
    }
  }

  /**
   * The scores a policy sees: {@code decide}'s values; {@code topK} checks the backend's own selection
   * against {@link ScoreMath} on {@code own}, and returns it when {@code decide} is {@code own} (the
   * leader), else {@link ScoreMath#topK} of {@code decide}.
   */
  private final class Checked implements Scores {
    private final Scores backend;
    private final float[][] own;
    private final float[][] decide;
    private final String who;

    Checked(Scores backend, float[][] own, float[][] decide, String who) {
      this.backend = backend;
      this.own = own;
      this.decide = decide;
      this.who = who;
    }

    @Override
    public int kvHeads() {
      return decide.length;
    }

    @Override
    public int length() {
      return decide[0].length;
    }

    @Override
    public void copyTo(int kvHead, float[] dst) {
      System.arraycopy(decide[kvHead], 0, dst, 0, decide[kvHead].length);
    }

    @Override
    public Selection topK(int k, int poolKernel, int keepRecent) {
      Selection mine = backend.topK(k, poolKernel, keepRecent);
      checkSelection(who, mine, own, k, poolKernel, keepRecent);
      if (decide == own) {
        return mine;
      }
      Selection lead = reference(decide, k, poolKernel, keepRecent);
      for (int h = 0; h < own.length; h++) {
        if (!Arrays.equals(lead.slots(h), mine.slots(h))) {
          divergent++;
          break;
        }
      }
      return lead;
    }
  }
}
