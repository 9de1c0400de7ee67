package org.recycledattention.engine.wiring;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
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
 * The Guice module of the composition root, and the one place where policies and backends are chosen,
 * checked and started, for every command. Binds
 * <ul>
 *   <li>{@code Map<String, AttentionPolicyProvider>} and {@code Map<String, KvCacheBackendProvider>}
 *       (one {@link MapBinder} entry per discovered provider),
 *   <li>both {@link ProviderRegistry registries}, the {@link Providers} and the {@link
 *       ValidatedConfig},
 *   <li>the selected ({@code ra.policy}, {@code ra.backend}) {@link PolicyFactory} and {@link
 *       KvCacheBackend}, as lazy singletons made by {@link #policy(String, int)} and {@link #backend(String)}.
 * </ul>
 * Plugins need no Guice: providers are bound as instances.
 *
 * <p>Choosing refuses, with a one-line {@link ProviderException}, an unknown name (listing the
 * available ones), an unavailable backend (naming the reason) and a backend that lacks a capability a
 * policy requires (naming the capability), before any backend starts. A backend is started once per
 * name and shared; {@link #closeStartedBackends()} closes them ({@link RaRuntime#close()} calls it).
 */
public final class RaModule extends AbstractModule {
  private final Providers providers;
  private final ValidatedConfig config;
  private final Map<String, KvCacheBackend> started = new LinkedHashMap<>();

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
  PolicyFactory selectedPolicy() {
    return policy(config.policyName(), config.budget());
  }

  @Provides
  @Singleton
  KvCacheBackend selectedBackend(PolicyFactory policy) {
    checkBackend(config.backendName(), List.of(policy), "--backend");
    return backend(config.backendName());
  }

  /**
   * The policy {@code name} with its configured keys ({@code ra.policy.<name>.*}) and budget K = {@code budget}.
   *
   * @throws ProviderException naming the available policies when there is none of that name
   */
  PolicyFactory policy(String name, int budget) {
    AttentionPolicyProvider provider = providers.policies().get(name);
    return new PolicyFactory(provider, new PolicyConfig(budget, config.policy(name)));
  }

  /**
   * Checks, without starting anything, that backend {@code name} exists, is available here and has
   * every capability each of {@code policies} requires.
   *
   * @param flag the option that named the backend, for the advice in the message
   * @throws ProviderException otherwise, in one line naming the reason or the capability
   */
  KvCacheBackendProvider checkBackend(String name, List<PolicyFactory> policies, String flag) {
    KvCacheBackendProvider provider = providers.backends().get(name);
    Availability availability = provider.availability();
    if (!availability.available()) {
      throw new ProviderException("KV-cache backend '" + name + "' is not available: " + availability.detail()
          + "; choose another with " + flag + " ('ra backends' shows what each one needs)");
    }
    for (PolicyFactory policy : policies) {
      Set<BackendCapability> missing = EnumSet.noneOf(BackendCapability.class);
      missing.addAll(policy.provider().requiredCapabilities());
      missing.removeAll(provider.capabilities());
      if (!missing.isEmpty()) {
        throw new ProviderException("attention policy '" + policy.name() + "' needs backend capabilit" + (missing.size() == 1 ? "y " : "ies ")
            + String.join(", ", missing.stream().map(Enum::name).toList()) + ", which KV-cache backend '" + name
            + "' lacks; choose another backend with " + flag + " ('ra backends' lists each one's capabilities)");
      }
    }
    return provider;
  }

  /**
   * Backend {@code name} with its configured keys ({@code ra.backend.<name>.*}), started on first use
   * and then shared.
   *
   * @throws ProviderException when it does not exist or is not available here
   * @throws RaException when it fails to start
   */
  KvCacheBackend backend(String name) {
    synchronized (started) {
      KvCacheBackend running = started.get(name);
      if (running != null) {
        return running;
      }
      KvCacheBackendProvider provider = checkBackend(name, List.of(), "--backend");
      KvCacheBackend backend;
      try {
        backend = provider.create(config.backend(name));
      } catch (RaException e) {
        throw e;
      } catch (RuntimeException | LinkageError e) {
        throw new RaException("KV-cache backend '" + name + "' failed to start: " + e
            + "; run with --verbose for the stack trace, or choose another with --backend", e);
      }
      started.put(name, backend);
      return backend;
    }
  }

  /** Closes every backend this module has started, most recent first. Idempotent. */
  public void closeStartedBackends() {
    List<KvCacheBackend> toClose;
    synchronized (started) {
      toClose = new ArrayList<>(started.values());
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
