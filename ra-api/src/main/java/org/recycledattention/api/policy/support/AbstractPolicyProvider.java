package org.recycledattention.api.policy.support;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * An {@link AttentionPolicyProvider} that states its name, description, keys and required capabilities
 * once, in its constructor; a policy implements {@code create} (and {@code usesBudget} when it reads no
 * budget).
 */
public abstract class AbstractPolicyProvider implements AttentionPolicyProvider {
  private final ProviderInfo info;
  private final Set<BackendCapability> required;

  protected AbstractPolicyProvider(ProviderInfo info, Set<BackendCapability> required) {
    this.info = requireNonNull(info, "info is null");
    this.required = Set.copyOf(required.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(required));
  }

  @Override
  public final String name() {
    return info.name();
  }

  @Override
  public final String description() {
    return info.description();
  }

  @Override
  public final List<ConfigProperty<?>> properties() {
    return info.properties();
  }

  @Override
  public final Set<BackendCapability> requiredCapabilities() {
    return required;
  }
}
