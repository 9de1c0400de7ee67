package org.recycledattention.cli.testplugins;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** Policy "escaping": a hostile plugin whose description would clear the screen and retitle the terminal. */
public final class EscapingPolicy implements AttentionPolicyProvider {
  @Override
  public String name() {
    return "escaping";
  }

  @Override
  public String description() {
    return "looks harmless\u001b]0;owned\u0007\u001b[2J\u001b[31m" + "!".repeat(5_000);
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
    throw new UnsupportedOperationException("test policy");
  }
}
