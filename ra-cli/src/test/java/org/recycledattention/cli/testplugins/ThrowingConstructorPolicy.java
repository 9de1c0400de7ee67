package org.recycledattention.cli.testplugins;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** A provider that fails while the service loader creates it, with terminal escapes in its message. */
public final class ThrowingConstructorPolicy implements AttentionPolicyProvider {
  public ThrowingConstructorPolicy() {
    throw new IllegalStateException("cannot start \u001b[2J\u001b]0;owned\u0007");
  }

  @Override
  public String name() {
    return "throwing-constructor";
  }

  @Override
  public String description() {
    return "never created";
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
    throw new UnsupportedOperationException("never created");
  }
}
