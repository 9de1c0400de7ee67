package org.recycledattention.eval.ruler;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.engine.decode.PolicyFactory;

/**
 * Counts, for one policy over many sequences, the decode layer-steps that attended every token so
 * far (the whole context): full attention does at every step, Recycled Attention at its full steps,
 * an evicting policy only while its cache still holds the whole sequence. Wraps the policy without
 * changing what it plans or does. Not thread-safe.
 */
final class FullStepCounter {
  private final PolicyFactory counted;
  private long decodeSteps;
  private long fullContextSteps;

  FullStepCounter(PolicyFactory policy) {
    requireNonNull(policy, "policy is null");
    AttentionPolicyProvider inner = policy.provider();
    this.counted = new PolicyFactory(new AttentionPolicyProvider() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public String description() {
        return inner.description();
      }

      @Override
      public List<ConfigProperty<?>> properties() {
        return inner.properties();
      }

      @Override
      public boolean usesBudget() {
        return inner.usesBudget();
      }

      @Override
      public Set<BackendCapability> requiredCapabilities() {
        return inner.requiredCapabilities();
      }

      @Override
      public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
        AttentionPolicy p = inner.create(config, shape);
        return new AttentionPolicy() {
          @Override
          public StepPlan plan(int layer, DecodeStep step) {
            return p.plan(layer, step);
          }

          @Override
          public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
            if (step.phase() == Phase.DECODE) {
              decodeSteps++;
              if (observation.result().attendedTokens() == step.position() + 1) {
                fullContextSteps++;
              }
            }
            p.observe(layer, step, observation, workingSet);
          }
        };
      }
    }, policy.config());
  }

  /** The policy to decode with: the wrapped one, counting. */
  PolicyFactory policy() {
    return counted;
  }

  /** Percent of the decode layer-steps so far that attended the whole context; NaN before any. */
  double fullContextPercent() {
    return decodeSteps == 0 ? Double.NaN : 100.0 * fullContextSteps / decodeSteps;
  }
}
