package org.recycledattention.engine.testing;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.engine.decode.PolicyFactory;

/** A test-only full-attention policy, used when ra-policies' {@code full} is not on the class path. */
public final class FullTestPolicy implements AttentionPolicy {
  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return StepPlan.Full.NO_SCORES;
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {}

  /** Its provider. */
  public static final class Provider implements AttentionPolicyProvider {
    private final Set<BackendCapability> required;

    public Provider() {
      this(Set.of());
    }

    /** A provider that claims to need {@code required} (to test capability checks). */
    public Provider(Set<BackendCapability> required) {
      this.required = Set.copyOf(required);
    }

    @Override
    public String name() {
      return "test-full";
    }

    @Override
    public String description() {
      return "full attention (engine tests)";
    }

    @Override
    public List<ConfigProperty> properties() {
      return List.of();
    }

    @Override
    public boolean usesBudget() {
      return false;
    }

    @Override
    public Set<BackendCapability> requiredCapabilities() {
      return required;
    }

    @Override
    public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
      return new FullTestPolicy();
    }
  }

  public static PolicyFactory factory() {
    return new PolicyFactory(new Provider(), new PolicyConfig(1, ProviderConfig.defaults("ra.policy.test-full.", List.of())));
  }
}
