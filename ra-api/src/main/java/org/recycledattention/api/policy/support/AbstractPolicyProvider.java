package org.recycledattention.api.policy.support;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.provider.AbstractProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * An {@link AttentionPolicyProvider} that states its name, description, keys and required capabilities
 * once, in its constructor; a policy implements {@link #newPolicy} (and {@code usesBudget} when it
 * reads no budget).
 */
public abstract class AbstractPolicyProvider extends AbstractProvider implements AttentionPolicyProvider {
  private final Set<BackendCapability> required;

  protected AbstractPolicyProvider(ProviderInfo info, Set<BackendCapability> required) {
    super(info);
    this.required = Set.copyOf(required);
  }

  @Override
  public final Set<BackendCapability> requiredCapabilities() {
    return required;
  }

  /** Checks its arguments are there and asks {@link #newPolicy} for the policy. */
  @Override
  public final AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    return newPolicy(requireNonNull(config, "config is null"), requireNonNull(shape, "shape is null"));
  }

  /** A new policy for one sequence of a model of {@code shape}, configured by {@code config} (neither null). */
  protected abstract AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape);
}
