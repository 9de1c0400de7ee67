package org.recycledattention.backend.onnx;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;

/**
 * What one cached ONNX Runtime session computes. Everything that changes from step to step
 * (entries attended, queries, K) is a dynamic dimension or an input, so one session per key serves
 * a whole run.
 */
sealed interface GraphKey permits GraphKey.Attention, GraphKey.Selection {
  /** A short description for error messages. */
  String describe();

  /**
   * Attention of {@code kvHeads × group} query heads over {@code n} entries per KV head.
   *
   * @param causal whether rows carry a causal limit (several queries); without it every query
   *     reads every entry
   * @param mode which scores come out ({@link ScoreMode#NONE}: none)
   * @param reduction how scores are reduced over the group (ignored when {@code mode} is NONE)
   */
  record Attention(int kvHeads, int group, int headDim, boolean causal, ScoreMode mode, GroupReduction reduction) implements GraphKey {
    public Attention {
      requireNonNull(mode, "mode is null");
      requireNonNull(reduction, "reduction is null");
      if (mode == ScoreMode.NONE) {
        reduction = GroupReduction.MAX; // irrelevant: one key, one session
      }
    }

    @Override
    public String describe() {
      return "attention graph (kvHeads=" + kvHeads + ", group=" + group + ", headDim=" + headDim + ", causal=" + causal
          + ", scores=" + mode + "/" + reduction + ")";
    }
  }

  /** Max-pooling with {@code poolKernel} and top-K selection over {@code [kvHeads, n]} scores. */
  record Selection(int poolKernel) implements GraphKey {
    @Override
    public String describe() {
      return "selection graph (poolKernel=" + poolKernel + ")";
    }
  }
}
