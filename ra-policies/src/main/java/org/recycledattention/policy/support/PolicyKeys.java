package org.recycledattention.policy.support;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.policy.PolicyConfig;

/** Fully qualified configuration key names for error messages. */
public final class PolicyKeys {
  /** The shared budget key K. */
  public static final String BUDGET = "ra.budget";

  private PolicyKeys() {}

  /** {@code key} under the policy's prefix: {@code ra.policy.recycled.stride}. */
  public static String qualified(PolicyConfig config, ConfigProperty<?> property) {
    requireNonNull(config, "config is null");
    requireNonNull(property, "property is null");
    return config.properties().prefix() + property.key();
  }

  /**
   * The exception for two keys that are valid one by one but not together.
   *
   * @param problem what is wrong, naming both keys and their values
   * @param fix what to do
   */
  public static ConfigException conflict(String problem, String fix) {
    return new ConfigException(problem + "; " + fix);
  }
}
