package org.recycledattention.engine.wiring;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.engine.config.ValidatedConfig;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;

/**
 * The Guice module of the composition root. Binds
 * <ul>
 *   <li>{@code Map<String, AttentionPolicyProvider>} and {@code Map<String, KvCacheBackendProvider>}
 *       (one {@link MapBinder} entry per discovered provider),
 *   <li>both {@link ProviderRegistry registries}, the {@link Providers} and the {@link
 *       ValidatedConfig},
 *   <li>the selected {@link PolicyFactory} and {@link KvCacheBackend}, as lazy singletons.
 * </ul>
 * Plugins need no Guice: providers are bound as instances.
 *
 * <p>Selecting a backend refuses, with a one-line {@link ProviderException}, an unknown name, an
 * unavailable backend (naming the reason) and a backend that lacks a capability the selected policy
 * requires (naming the capability), before the backend starts. Backends this module started are
 * closed by {@link #closeStartedBackends()} ({@link RaRuntime#close()} calls it).
 */
public final class RaModule extends AbstractModule {
  private final Providers providers;
  private final ValidatedConfig config;
  private final List<KvCacheBackend> started = new ArrayList<>();

  public RaModule(Providers providers, ValidatedConfig config) {
    this.providers = requireNonNull(providers, "providers is null");
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  protected void configure() {
    MapBinder<String, AttentionPolicyProvider> policies = MapBinder.newMapBinder(binder(), String.class, AttentionPolicyProvider.class);
    for (AttentionPolicyProvider p : providers.policies().providers()) {
      policies.addBinding(p.name()).toInstance(p);
    }
    MapBinder<String, KvCacheBackendProvider> backends = MapBinder.newMapBinder(binder(), String.class, KvCacheBackendProvider.class);
    for (KvCacheBackendProvider p : providers.backends().providers()) {
      backends.addBinding(p.name()).toInstance(p);
    }
    bind(new TypeLiteral<ProviderRegistry<AttentionPolicyProvider>>() {}).toInstance(providers.policies());
    bind(new TypeLiteral<ProviderRegistry<KvCacheBackendProvider>>() {}).toInstance(providers.backends());
    bind(Providers.class).toInstance(providers);
    bind(ValidatedConfig.class).toInstance(config);
  }

  @Provides
  @Singleton
  PolicyFactory policyFactory(Map<String, AttentionPolicyProvider> policies, ProviderRegistry<AttentionPolicyProvider> registry,
      ValidatedConfig config) {
    return selectPolicy(policies, registry, config);
  }

  @Provides
  @Singleton
  KvCacheBackend backend(Map<String, KvCacheBackendProvider> backends, ProviderRegistry<KvCacheBackendProvider> registry,
      ValidatedConfig config, PolicyFactory policy) {
    KvCacheBackendProvider provider = checkBackend(backends, registry, config, policy);
    KvCacheBackend backend;
    try {
      backend = provider.create(config.backend(provider.name()));
    } catch (RaException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new RaException("KV-cache backend '" + provider.name() + "' failed to start: " + e
          + "; run with --verbose for the stack trace, or choose another with --backend", e);
    }
    synchronized (started) {
      started.add(backend);
    }
    return backend;
  }

  /** The selected policy with its budget and keys. */
  static PolicyFactory selectPolicy(Map<String, AttentionPolicyProvider> policies, ProviderRegistry<AttentionPolicyProvider> registry,
      ValidatedConfig config) {
    String name = config.policyName();
    AttentionPolicyProvider provider = policies.get(name);
    if (provider == null) {
      provider = registry.get(name); // throws the registry's message (available names, load failures)
    }
    return new PolicyFactory(provider, new PolicyConfig(config.budget(), config.policy(name)));
  }

  /**
   * The selected backend's provider, checked: it exists, is available here and has every capability
   * the policy requires.
   *
   * @throws ProviderException otherwise, in one line naming the reason or the capability
   */
  static KvCacheBackendProvider checkBackend(Map<String, KvCacheBackendProvider> backends, ProviderRegistry<KvCacheBackendProvider> registry,
      ValidatedConfig config, PolicyFactory policy) {
    String name = config.backendName();
    KvCacheBackendProvider provider = backends.get(name);
    if (provider == null) {
      provider = registry.get(name);
    }
    Availability availability = provider.availability();
    if (!availability.available()) {
      throw new ProviderException("KV-cache backend '" + name + "' is not available: " + availability.detail()
          + "; choose another with --backend ('ra backends' shows what each one needs)");
    }
    Set<BackendCapability> missing = EnumSet.noneOf(BackendCapability.class);
    missing.addAll(policy.provider().requiredCapabilities());
    missing.removeAll(provider.capabilities());
    if (!missing.isEmpty()) {
      throw new ProviderException("attention policy '" + policy.name() + "' needs backend capabilit" + (missing.size() == 1 ? "y " : "ies ")
          + String.join(", ", missing.stream().map(Enum::name).toList()) + ", which KV-cache backend '" + name
          + "' lacks; choose another backend with --backend ('ra backends' lists each one's capabilities)");
    }
    return provider;
  }

  /** Closes every backend this module has provided, most recent first. Idempotent. */
  public void closeStartedBackends() {
    List<KvCacheBackend> toClose;
    synchronized (started) {
      toClose = new ArrayList<>(started);
      started.clear();
    }
    RuntimeException first = null;
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
