package org.recycledattention.policy.full;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** Provider of {@code full}: attention over the whole cache at every step. Thread-safe. */
public final class FullPolicyProvider implements AttentionPolicyProvider {
  public static final String NAME = "full";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "full attention over every cached token at every step (the reference; ignores ra.budget)";
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    return List.of();
  }

  @Override
  public boolean usesBudget() {
    return false;
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return Set.of();
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    requireNonNull(config, "config is null");
    requireNonNull(shape, "shape is null");
    return new FullPolicy();
  }
}
