package org.recycledattention.engine.crossbackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
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
import org.recycledattention.tests.ArrayScores;

/**
 * {@link LockstepDecisions} on hand-made scores: the near-tie that made the cross-backend comparison
 * flaky (two entries whose scores the backends order differently) no longer changes the follower's
 * decision, while a backend whose selection breaks the contract, or whose scores differ by more than
 * the tolerance, still fails.
 */
class LockstepDecisionsTest {
  // slot 1 and slot 3 are a near-tie for the second place: the leader ranks 3 higher, the follower 1
  static final float[] LEADER = {0.5f, 0.02612776f, 0.1f, 0.02612785f, 0.01f};
  static final float[] FOLLOWER = {0.5f, 0.02612786f, 0.1f, 0.02612777f, 0.01f};

  @Test
  void aNearTieIsDecidedAsTheLeaderDecidedIt() {
    LockstepDecisions lock = new LockstepDecisions(1e-4);
    List<Selection> leaderSaw = new ArrayList<>();
    List<Selection> followerSaw = new ArrayList<>();
    AttentionPolicy leader = lock.leader(new TopThree(leaderSaw)).create(null, null);
    AttentionPolicy follower = lock.follower(new TopThree(followerSaw)).create(null, null);
    leader.observe(0, null, observation(ArrayScores.of(LEADER)), null);
    follower.observe(0, null, observation(ArrayScores.of(FOLLOWER)), null);

    assertThat(LockstepDecisions.reference(new float[][] {FOLLOWER}, 3, 1, 0).slots(0)).as("the follower's own choice").containsExactly(0, 1, 2);
    assertThat(leaderSaw.getFirst().slots(0)).containsExactly(0, 2, 3);
    assertThat(followerSaw.getFirst().slots(0)).as("the follower decides as the leader").containsExactly(0, 2, 3);
    assertThat(lock.forcedObservations()).isEqualTo(1);
    assertThat(lock.divergentDecisions()).isEqualTo(1);
  }

  @Test
  void aSelectionThatBreaksTiesToTheHigherSlotFails() {
    float[] tied = {0.5f, 0.2f, 0.1f, 0.2f};
    LockstepDecisions lock = new LockstepDecisions(1e-4);
    AttentionPolicy leader = lock.leader(new TopThree(new ArrayList<>())).create(null, null);
    Scores wrongTies = new Scores() {
      @Override
      public int kvHeads() {
        return 1;
      }

      @Override
      public int length() {
        return tied.length;
      }

      @Override
      public void copyTo(int kvHead, float[] dst) {
        System.arraycopy(tied, 0, dst, 0, tied.length);
      }

      @Override
      public Selection topK(int k, int poolKernel, int keepRecent) {
        return new Selection(new int[][] {{0, 2, 3}}, new float[][] {{0.5f, 0.1f, 0.2f}}); // ScoreMath: {0, 1, 3}
      }
    };
    assertThatThrownBy(() -> leader.observe(0, null, observation(wrongTies), null)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("ScoreMath.topK of its own scores");
  }

  @Test
  void scoresBeyondTheToleranceFail() {
    LockstepDecisions lock = new LockstepDecisions(1e-8);
    AttentionPolicy leader = lock.leader(new TopThree(new ArrayList<>())).create(null, null);
    AttentionPolicy follower = lock.follower(new TopThree(new ArrayList<>())).create(null, null);
    leader.observe(0, null, observation(ArrayScores.of(LEADER)), null);
    assertThatThrownBy(() -> follower.observe(0, null, observation(ArrayScores.of(FOLLOWER)), null)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("score of layer 0, KV head 0, slot 1");
  }

  private static Observation observation(Scores scores) {
    return new Observation(StepPlan.Full.LAST_MAX, new AttentionResult(scores.length(), scores));
  }

  /** A policy that selects the top three entries of every observation and records the selection. */
  private record TopThree(List<Selection> seen) implements AttentionPolicyProvider {
    @Override
    public String name() {
      return "top-three";
    }

    @Override
    public String description() {
      return "selects the top three";
    }

    @Override
    public List<ConfigProperty<?>> properties() {
      return List.of();
    }

    @Override
    public Set<BackendCapability> requiredCapabilities() {
      return Set.of();
    }

    @Override
    public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
      return new AttentionPolicy() {
        @Override
        public StepPlan plan(int layer, DecodeStep step) {
          return StepPlan.Full.LAST_MAX;
        }

        @Override
        public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
          seen.add(observation.result().scores().topK(3, 1, 0));
        }
      };
    }
  }
}
