package org.recycledattention.api.policy;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ProviderConfig;

/**
 * A policy's configuration: the shared budget K ({@code ra.budget}) and its own validated keys
 * ({@code ra.policy.<name>.*}, prefix-stripped).
 */
public record PolicyConfig(int budget, ProviderConfig properties) {
  public PolicyConfig {
    requireNonNull(properties, "properties is null");
    if (budget < 1) {
      throw new ConfigException("invalid value '" + budget + "' for ra.budget: expected an integer >= 1");
    }
  }
}
