package org.recycledattention.cli.testplugins;

import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * Policy "failing-assertion": a plugin with a bug that throws an {@link AssertionError} (an
 * {@code Error}, not an exception) when a sequence starts, with terminal escapes in its message.
 */
public final class FailingAssertionPolicy implements AttentionPolicyProvider {
  @Override
  public String name() {
    return "failing-assertion";
  }

  @Override
  public String description() {
    return "test policy whose create() fails an assertion";
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
    throw new AssertionError("plugin invariant broken \u001b]0;owned\u0007\u001b[2J");
  }
}
