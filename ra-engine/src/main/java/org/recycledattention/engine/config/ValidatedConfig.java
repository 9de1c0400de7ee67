package org.recycledattention.engine.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.recycledattention.api.config.ProviderConfig;

/**
 * A configuration that passed {@link ConfigValidator}: the global keys ({@code ra.policy}, {@code
 * ra.backend}, {@code ra.budget}, ...) and one {@link ProviderConfig} per known provider.
 *
 * @param global the {@code ra.*} keys that belong to no provider, prefix {@code ra.}
 * @param policies per policy name, its validated keys
 * @param backends per backend name, its validated keys
 */
public record ValidatedConfig(ProviderConfig global, Map<String, ProviderConfig> policies, Map<String, ProviderConfig> backends) {
  public ValidatedConfig {
    requireNonNull(global, "global is null");
    policies = Map.copyOf(policies);
    backends = Map.copyOf(backends);
  }

  /** The selected policy ({@code ra.policy}). */
  public String policyName() {
    return global.get(GlobalKeys.POLICY);
  }

  /** The selected backend ({@code ra.backend}). */
  public String backendName() {
    return global.get(GlobalKeys.BACKEND);
  }

  /** The token budget K ({@code ra.budget}). */
  public int budget() {
    return global.get(GlobalKeys.BUDGET);
  }

  /** The {@code ra.threads} setting. */
  public int threads() {
    return global.get(GlobalKeys.THREADS);
  }

  public ProviderConfig policy(String name) {
    ProviderConfig c = policies.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no configuration for policy '" + name + "'");
    }
    return c;
  }

  public ProviderConfig backend(String name) {
    ProviderConfig c = backends.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no configuration for backend '" + name + "'");
    }
    return c;
  }
}
