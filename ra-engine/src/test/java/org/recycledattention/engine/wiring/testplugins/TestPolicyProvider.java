package org.recycledattention.engine.wiring.testplugins;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** A policy provider with a name, one key ({@code window}) and required capabilities chosen by the test. */
public class TestPolicyProvider implements AttentionPolicyProvider {
  /** {@code window}: tokens in the test window. */
  public static final ConfigProperty<Integer> WINDOW = ConfigProperty.ofInt("window", 4, 1, 64, "tokens in the test window");

  private final String name;
  private final Set<BackendCapability> required;

  public TestPolicyProvider(String name, Set<BackendCapability> required) {
    this.name = name;
    this.required = required.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(required);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "test policy " + name;
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    return List.of(WINDOW);
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return required;
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("test provider '" + name + "' creates no policy");
  }
}
