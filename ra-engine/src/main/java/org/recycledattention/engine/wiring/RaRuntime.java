package org.recycledattention.engine.wiring;

import static java.util.Objects.requireNonNull;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.config.ConfigSource;
import org.recycledattention.engine.config.ConfigValidator;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.config.EngineKeys;
import org.recycledattention.engine.config.ValidatedConfig;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;

/**
 * The facade the command line and embedding code use: discovered providers, the validated
 * configuration, and the selected policy factory and backend from a Guice injector built with
 * {@link RaModule}.
 *
 * <p>{@link #create} validates the whole configuration before returning, so unknown keys, wrong
 * types and out-of-range values fail before any work starts. The policy and the backend are resolved
 * lazily, on first use; {@link #checkSelection()} checks both names (and the backend's availability
 * and capabilities) without starting the backend. Guice's wrapping exceptions never escape: a
 * {@link RaException} thrown during provisioning is rethrown as is.
 *
 * <p>Thread-safe. {@link #close()} closes the backend if it was started; the class loader (see
 * {@link Plugins}) is the caller's.
 */
public final class RaRuntime implements AutoCloseable {
  private final Providers providers;
  private final Configuration configuration;
  private final ValidatedConfig config;
  private final RaModule module;
  private final Injector injector;

  private RaRuntime(Providers providers, Configuration configuration, ValidatedConfig config) {
    this.providers = providers;
    this.configuration = configuration;
    this.config = config;
    this.module = new RaModule(providers, config);
    this.injector = unwrapping(() -> Guice.createInjector(Stage.DEVELOPMENT, module));
  }

  /**
   * Discovers the providers of {@code loader}, layers {@code layers} over their defaults and
   * validates the result.
   *
   * @throws org.recycledattention.api.config.ConfigException for any invalid key or value
   * @throws org.recycledattention.api.provider.ProviderException when two providers share a name
   */
  public static RaRuntime create(ClassLoader loader, ConfigLayers layers) {
    requireNonNull(layers, "layers is null");
    Providers providers = Providers.discover(loader);
    return create(providers, layers.resolve(providers.declaredKeys()));
  }

  /** Discovers the providers of {@code loader} and validates {@code configuration} (unset keys take their defaults). */
  public static RaRuntime create(ClassLoader loader, Configuration configuration) {
    return create(Providers.discover(loader), configuration);
  }

  /** Validates {@code configuration} against {@code providers}' keys. */
  public static RaRuntime create(Providers providers, Configuration configuration) {
    requireNonNull(providers, "providers is null");
    requireNonNull(configuration, "configuration is null");
    ValidatedConfig config = ConfigValidator.validate(configuration, EngineKeys.properties(), providers.policyKeys(), providers.backendKeys());
    return new RaRuntime(providers, configuration, config);
  }

  public Providers providers() {
    return providers;
  }

  public ProviderRegistry<AttentionPolicyProvider> policyRegistry() {
    return providers.policies();
  }

  public ProviderRegistry<KvCacheBackendProvider> backendRegistry() {
    return providers.backends();
  }

  /** The layered configuration as given (before defaults of unset keys). */
  public Configuration configuration() {
    return configuration;
  }

  /** The validated configuration. */
  public ValidatedConfig config() {
    return config;
  }

  /** The {@code ra.threads} setting. */
  public int threads() {
    return config.global().getInt(EngineKeys.THREADS);
  }

  /**
   * Every declared key with its effective value and where it came from, sorted by key; keys nobody
   * set appear at {@link ConfigSource#DEFAULT} with their built-in default.
   */
  public List<Configuration.Entry> effectiveConfiguration() {
    List<Configuration.Entry> out = new ArrayList<>();
    Map<String, Configuration.Entry> set = configuration.entries();
    providers.declaredKeys().forEach((key, property) -> {
      Configuration.Entry e = set.get(key);
      out.add(e != null ? e : new Configuration.Entry(key, property.defaultValue(), ConfigSource.DEFAULT, "built-in"));
    });
    return out;
  }

  /** The selected policy with its validated configuration. */
  public PolicyFactory policyFactory() {
    return unwrapping(() -> injector.getInstance(PolicyFactory.class));
  }

  /**
   * Checks the selection without starting anything: the policy exists, the backend exists, is
   * available and has the capabilities the policy requires.
   *
   * @throws org.recycledattention.api.provider.ProviderException naming the problem
   */
  public void checkSelection() {
    PolicyFactory policy = policyFactory();
    Map<String, KvCacheBackendProvider> backends = injector.getInstance(Key.get(new TypeLiteral<Map<String, KvCacheBackendProvider>>() {}));
    RaModule.checkBackend(backends, backendRegistry(), config, policy);
  }

  /** The selected backend, started on first call and then shared; closed by {@link #close()}. */
  public KvCacheBackend backend() {
    return unwrapping(() -> injector.getInstance(KvCacheBackend.class));
  }

  /** The injector, for code that wants more than this facade offers. */
  public Injector injector() {
    return injector;
  }

  @Override
  public void close() {
    module.closeStartedBackends();
  }

  private static <T> T unwrapping(java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (ProvisionException e) {
      throw rethrowCause(e, e.getErrorMessages());
    } catch (CreationException e) {
      throw rethrowCause(e, e.getErrorMessages());
    } catch (ConfigurationException e) {
      throw rethrowCause(e, e.getErrorMessages());
    }
  }

  /** The first {@link RaException} among the causes of Guice's messages, else {@code e} itself. */
  private static RuntimeException rethrowCause(RuntimeException e, java.util.Collection<com.google.inject.spi.Message> messages) {
    List<Throwable> roots = new ArrayList<>();
    roots.add(e.getCause());
    messages.forEach(m -> roots.add(m.getCause()));
    for (Throwable root : roots) {
      for (Throwable t = root; t != null; t = t.getCause()) {
        if (t instanceof RaException ra) {
          return ra;
        }
      }
    }
    return e;
  }
}
