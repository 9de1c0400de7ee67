package org.recycledattention.dist;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** Policy "error-policy", packed into a plugin jar by {@link LauncherTest}: its create() throws an {@link Error}. */
public final class ErrorPolicy implements AttentionPolicyProvider {
  @Override
  public String name() {
    return "error-policy";
  }

  @Override
  public String description() {
    return "a plugin with a bug: create() fails an assertion";
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
    throw new AssertionError("error-policy: invariant broken");
  }
}
