package org.recycledattention.cli.testplugins;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** A buggy plugin: listing its keys throws, which the CLI must report as a runtime failure (exit 1). */
public final class BrokenKeysPolicy implements AttentionPolicyProvider {
  @Override
  public String name() {
    return "broken-keys";
  }

  @Override
  public String description() {
    return "a policy whose properties() throws";
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    throw new IllegalStateException("keys resource missing from the plugin jar");
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return Set.of();
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("never created");
  }
}
