package org.recycledattention.engine.registry;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.NamedProvider;
import org.recycledattention.engine.config.GlobalKeys;

/**
 * The attention policies and KV-cache backends one class loader offers, and every configuration key
 * they declare. Immutable and thread-safe.
 *
 * @param policies the policy registry
 * @param backends the backend registry
 */
public record Providers(ProviderRegistry<AttentionPolicyProvider> policies, ProviderRegistry<KvCacheBackendProvider> backends) {
  public Providers {
    requireNonNull(policies, "policies is null");
    requireNonNull(backends, "backends is null");
  }

  /**
   * Discovers the providers of {@code loader} (its own jars and its parents'), anew: the result
   * belongs to the caller (a runtime), nothing static keeps it.
   *
   * @throws org.recycledattention.api.provider.ProviderException when two providers share a name
   */
  public static Providers discover(ClassLoader loader) {
    requireNonNull(loader, "loader is null");
    return new Providers(
        ProviderRegistry.load(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, loader),
        ProviderRegistry.load(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, loader));
  }

  /** The global keys (core and engine), prefix-stripped. */
  public List<ConfigProperty<?>> globalKeys() {
    return GlobalKeys.all();
  }

  /** Declared keys per policy name. */
  public Map<String, List<ConfigProperty<?>>> policyKeys() {
    return keysOf(policies);
  }

  /** Declared keys per backend name. */
  public Map<String, List<ConfigProperty<?>>> backendKeys() {
    return keysOf(backends);
  }

  /** Every key that may be set, fully qualified ({@code ra.policy.recycled.stride}), sorted. */
  public Map<String, ConfigProperty<?>> declaredKeys() {
    Map<String, ConfigProperty<?>> out = new TreeMap<>();
    for (ConfigProperty<?> p : globalKeys()) {
      out.put(ConfigKeys.ROOT + p.key(), p);
    }
    policyKeys().forEach((name, props) -> props.forEach(p -> out.put(ConfigKeys.policyPrefix(name) + p.key(), p)));
    backendKeys().forEach((name, props) -> props.forEach(p -> out.put(ConfigKeys.backendPrefix(name) + p.key(), p)));
    return Collections.unmodifiableMap(out);
  }

  /**
   * The keys {@code provider} declares. A provider is third-party code: when its {@code
   * properties()} throws, the failure names the provider, its class and its jar.
   *
   * @throws RaException (exit 1) when {@code properties()} throws or returns null
   */
  public static List<ConfigProperty<?>> declaredKeys(NamedProvider provider, ProviderRegistry.Kind kind) {
    requireNonNull(provider, "provider is null");
    requireNonNull(kind, "kind is null");
    try {
      return List.copyOf(provider.properties());
    } catch (RuntimeException e) {
      throw new RaException(kind.singular() + " '" + provider.name() + "' (" + provider.getClass().getName() + " from "
          + ProviderRegistry.origin(provider) + ") failed to list its configuration keys: " + e + "; fix or remove the plugin", e);
    }
  }

  private static <P extends NamedProvider> Map<String, List<ConfigProperty<?>>> keysOf(ProviderRegistry<P> registry) {
    Map<String, List<ConfigProperty<?>>> out = new LinkedHashMap<>();
    for (P p : registry.providers()) {
      out.put(p.name(), declaredKeys(p, registry.kind()));
    }
    return out;
  }
}
