package org.recycledattention.tests;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.registry.ProviderRegistry;

/**
 * Providers found by {@link java.util.ServiceLoader} on the test class path, by name, and their
 * configuration built the way the engine builds it.
 */
public final class Providers {
  private Providers() {}

  /**
   * The policy provider named {@code name} ({@code "h2o"}).
   *
   * @throws org.recycledattention.api.registry.ProviderException listing the names that exist
   */
  public static AttentionPolicyProvider policy(String name) {
    return ProviderRegistry.of(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, loader()).get(name);
  }

  /** The backend provider named {@code name} ({@code "cpu"}). */
  public static KvCacheBackendProvider backend(String name) {
    return ProviderRegistry.of(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, loader()).get(name);
  }

  /** Every policy provider on the class path, by name. */
  public static List<AttentionPolicyProvider> policies() {
    return ProviderRegistry.of(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, loader()).providers();
  }

  /** Every backend provider on the class path, by name. */
  public static List<KvCacheBackendProvider> backends() {
    return ProviderRegistry.of(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, loader()).providers();
  }

  /**
   * The validated keys of {@code provider}: {@code values} are prefix-stripped ({@code
   * stride=4}); undeclared keys and invalid values throw {@link
   * org.recycledattention.api.config.ConfigException} naming {@code ra.policy.<name>.<key>}.
   */
  public static ProviderConfig config(AttentionPolicyProvider provider, Map<String, String> values) {
    requireNonNull(provider, "provider is null");
    return ProviderConfig.resolve("ra.policy." + provider.name() + ".", provider.properties(), values);
  }

  /** {@link #config(AttentionPolicyProvider, Map)} for a backend ({@code ra.backend.<name>.}). */
  public static ProviderConfig config(KvCacheBackendProvider provider, Map<String, String> values) {
    requireNonNull(provider, "provider is null");
    return ProviderConfig.resolve("ra.backend." + provider.name() + ".", provider.properties(), values);
  }

  /** A policy configuration with budget {@code budget} and the provider's keys from {@code values}. */
  public static PolicyConfig policyConfig(AttentionPolicyProvider provider, int budget, Map<String, String> values) {
    return new PolicyConfig(budget, config(provider, values));
  }

  /** A started backend configured by {@code values}; the caller closes it. */
  public static KvCacheBackend create(KvCacheBackendProvider provider, Map<String, String> values) {
    return provider.create(config(provider, values));
  }

  private static ClassLoader loader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : Providers.class.getClassLoader();
  }
}
