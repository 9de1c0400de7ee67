package org.recycledattention.cli.testplugins;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** Policy "alpha" with one key, {@code window}. */
public final class AlphaPolicy implements AttentionPolicyProvider {
  @Override
  public String name() {
    return "alpha";
  }

  @Override
  public String description() {
    return "test policy alpha";
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    return List.of(ConfigProperty.ofInt("window", 4, 1, 64, "tokens in the test window"));
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return EnumSet.of(BackendCapability.SCORES);
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("test policy alpha creates no policy");
  }
}
