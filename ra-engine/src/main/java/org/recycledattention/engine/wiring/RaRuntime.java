package org.recycledattention.engine.wiring;

import static java.util.Objects.requireNonNull;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.config.ConfigSource;
import org.recycledattention.engine.config.ConfigValidator;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.config.GlobalKeys;
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
 * <p>Every command gets its policies and backends here, the selected ones ({@code ra.policy}, {@code
 * ra.backend}) and named ones ({@code --policies}, {@code --backends}) alike, through the same checks
 * ({@link RaModule}). {@link #create} validates the whole configuration before returning, so unknown
 * keys, wrong types and out-of-range values fail before any work starts. Policies and backends are
 * resolved lazily, on first use; the {@code checkSelection} methods check names, availability and
 * capabilities without starting a backend. Guice's wrapping exceptions never escape: a {@link
 * RaException} thrown during provisioning is rethrown as is.
 *
 * <p>Thread-safe. {@link #close()} closes the backends it started; the class loader (see {@link
 * Plugins}) is the caller's.
 */
public final class RaRuntime implements AutoCloseable {
  private final Providers providers;
  private final Configuration configuration;
  private final ValidatedConfig config;
  private final RaModule module;
  private final Injector injector;
  /** The plugin class loader {@link #open} loaded, closed with the runtime; null when the caller owns it. */
  private Plugins plugins;

  private RaRuntime(Providers providers, Configuration configuration, ValidatedConfig config) {
    this.providers = providers;
    this.configuration = configuration;
    this.config = config;
    this.module = new RaModule(providers, config);
    this.injector = unwrapping(() -> Guice.createInjector(Stage.DEVELOPMENT, module));
  }

  /**
   * The composition root of a command: loads the plugin jars of {@code pluginPath} (see {@link
   * Plugins#load(List)}), discovers the providers they and the application offer, layers {@code layers}
   * over their defaults and validates the result. The runtime owns the plugin class loader and closes it
   * in {@link #close()}.
   *
   * @throws ConfigException for a bad plugin path or any invalid key or value
   * @throws ProviderException when two providers share a name
   */
  public static RaRuntime open(List<Path> pluginPath, ConfigLayers layers) {
    requireNonNull(layers, "layers is null");
    Plugins loaded = Plugins.load(pluginPath);
    try {
      RaRuntime runtime = create(loaded.classLoader(), layers);
      runtime.plugins = loaded;
      return runtime;
    } catch (RuntimeException | Error e) {
      loaded.close();
      throw e;
    }
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
    ValidatedConfig config = ConfigValidator.validate(configuration, GlobalKeys.all(), providers.policyKeys(), providers.backendKeys());
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
    return config.threads();
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

  /** The selected policy ({@code ra.policy}) with its validated keys and the budget {@code ra.budget}. */
  public PolicyFactory policyFactory() {
    return unwrapping(() -> injector.getInstance(PolicyFactory.class));
  }

  /**
   * The policy {@code name} with its validated keys ({@code ra.policy.<name>.*}) and budget K = {@code
   * budget}: what commands that compare several policies use, through the same checks as the selected one.
   *
   * @throws ProviderException naming the available policies when there is none of that name
   */
  public PolicyFactory policyFactory(String name, int budget) {
    return module.policy(name, budget);
  }

  /** {@link #policyFactory(String, int)} of each name of {@code names}, in order. */
  public List<PolicyFactory> policyFactories(List<String> names, int budget) {
    return names.stream().map(n -> policyFactory(n, budget)).toList();
  }

  /**
   * Checks the selection ({@code ra.policy} on {@code ra.backend}) without starting anything: the policy
   * exists, the backend exists, is available and has the capabilities the policy requires.
   *
   * @throws ProviderException naming the problem
   */
  public void checkSelection() {
    module.checkBackend(config.backendName(), List.of(policyFactory()), "--backend");
  }

  /**
   * Checks, without starting anything, every policy of {@code policies} on every backend of {@code
   * backends}, with the same checks and messages as {@link #checkSelection()}.
   *
   * @param backendFlag the option that named the backends ({@code --backend}, {@code --backends}), for the advice
   * @throws ProviderException naming the first problem
   */
  public void checkSelection(List<String> policies, List<String> backends, String backendFlag) {
    List<PolicyFactory> factories = policyFactories(policies, config.budget());
    for (String b : backends) {
      module.checkBackend(b, factories, backendFlag);
    }
  }

  /**
   * Checks, without starting anything, every policy of {@code policies} on the selected backend ({@code
   * ra.backend}, which {@code --backend} sets), with the same checks and messages as {@link #checkSelection()}.
   *
   * @throws ProviderException naming the first problem
   */
  public void checkPolicies(List<String> policies) {
    checkSelection(policies, List.of(config.backendName()), "--backend");
  }

  /** The selected backend ({@code ra.backend}), started on first call and then shared; closed by {@link #close()}. */
  public KvCacheBackend backend() {
    return unwrapping(() -> injector.getInstance(KvCacheBackend.class));
  }

  /**
   * Backend {@code name} with its validated keys ({@code ra.backend.<name>.*}), started on first call and
   * then shared (the selected backend is the same instance); closed by {@link #close()}.
   *
   * @throws ProviderException when it does not exist or is not available here
   */
  public KvCacheBackend backend(String name) {
    return module.backend(name);
  }

  /** The injector, for code that wants more than this facade offers. */
  public Injector injector() {
    return injector;
  }

  /** Closes the backends this runtime started, then the plugin class loader when {@link #open} loaded it. */
  @Override
  public void close() {
    try {
      module.closeStartedBackends();
    } finally {
      if (plugins != null) {
        plugins.close();
      }
    }
  }

  private static <T> T unwrapping(Supplier<T> body) {
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
  private static RuntimeException rethrowCause(RuntimeException e, Collection<Message> messages) {
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
