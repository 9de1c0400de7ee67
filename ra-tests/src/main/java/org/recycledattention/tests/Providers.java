package org.recycledattention.tests;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.provider.NamedProvider;
import org.recycledattention.api.provider.ProviderException;

/**
 * Providers found by {@link ServiceLoader} on the test class path, by name, and their configuration
 * built the way the engine builds it. The one place tests look providers up; the kit depends on
 * ra-api only, so this is plain discovery, not the engine's registry.
 */
public final class Providers {
  private Providers() {}

  /**
   * The policy provider named {@code name} ({@code "h2o"}).
   *
   * @throws ProviderException listing the names that exist
   */
  public static AttentionPolicyProvider policy(String name) {
    return find(policies(), "attention policy", name);
  }

  /**
   * The backend provider named {@code name} ({@code "cpu"}).
   *
   * @throws ProviderException listing the names that exist
   */
  public static KvCacheBackendProvider backend(String name) {
    return find(backends(), "KV-cache backend", name);
  }

  /** Every policy provider on the class path, by name. */
  public static List<AttentionPolicyProvider> policies() {
    return discover(AttentionPolicyProvider.class);
  }

  /** Every backend provider on the class path, by name. */
  public static List<KvCacheBackendProvider> backends() {
    return discover(KvCacheBackendProvider.class);
  }

  private static <P extends NamedProvider> List<P> discover(Class<P> type) {
    List<P> out = new ArrayList<>();
    ServiceLoader.load(type, loader()).forEach(out::add);
    out.sort(Comparator.comparing(NamedProvider::name));
    return out;
  }

  private static <P extends NamedProvider> P find(List<P> providers, String kind, String name) {
    requireNonNull(name, "name is null");
    for (P p : providers) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new ProviderException("unknown " + kind + " '" + name + "' on the test class path; available: "
        + String.join(", ", providers.stream().map(NamedProvider::name).toList()));
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

  /** A new policy of {@code provider} for a model of {@code shape}, with budget {@code budget} and its keys from {@code values}. */
  public static AttentionPolicy create(AttentionPolicyProvider provider, int budget, Map<String, String> values, ModelShape shape) {
    return provider.create(policyConfig(provider, budget, values), shape);
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
