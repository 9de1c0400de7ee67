package org.recycledattention.engine.registry;

import static java.util.Objects.requireNonNull;

import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recycledattention.api.provider.NamedProvider;
import org.recycledattention.api.provider.ProviderException;

/**
 * The providers of one service type found by {@link ServiceLoader} in one class loader.
 *
 * <p>{@link #load} runs discovery each time it is called and returns a new registry: whoever loads
 * one owns it (the engine's {@code Providers}, held by one runtime), and nothing static keeps it, so
 * a class loader that is dropped (a plugin path closed and reloaded) is collected with its
 * providers. A provider that throws while loading is recorded in {@link #failures()} and the others
 * stay usable. Two providers with one name make the registry unusable: {@link #load} throws, naming
 * both classes and their jars.
 *
 * <p>Thread-safe.
 *
 * @param <P> the service type
 */
public final class ProviderRegistry<P extends NamedProvider> {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final Pattern FAILED_CLASS = Pattern.compile("Provider ([\\w.$]+) ");

  private final Class<P> type;
  private final Kind kind;
  private final Map<String, P> byName;
  private final List<LoadFailure> failures;

  /** How a service type is named in messages and which module provides its built-ins. */
  public record Kind(String singular, String plural, String builtInModule) {
    public static final Kind POLICY = new Kind("attention policy", "attention policies", "ra-policies");
    public static final Kind BACKEND = new Kind("KV-cache backend", "KV-cache backends", "ra-backend-cpu");
  }

  private ProviderRegistry(Class<P> type, Kind kind, Map<String, P> byName, List<LoadFailure> failures) {
    this.type = type;
    this.kind = kind;
    this.byName = Collections.unmodifiableMap(byName);
    this.failures = List.copyOf(failures);
  }

  /**
   * Discovers the providers of {@code type} in {@code loader} (its own jars and its parents').
   *
   * @throws ProviderException when two providers share a name
   */
  public static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, Kind kind, ClassLoader loader) {
    requireNonNull(type, "type is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(loader, "loader is null");
    return load(type, kind, ServiceLoader.load(type, loader));
  }

  /**
   * A registry over explicitly given providers (no discovery, no cache): for tests and for
   * embedding code that wires providers itself. The same checks apply.
   */
  public static <P extends NamedProvider> ProviderRegistry<P> ofProviders(Class<P> type, Kind kind, List<? extends P> providers) {
    Map<String, P> byName = new TreeMap<>();
    for (P p : providers) {
      add(kind, byName, p);
    }
    return new ProviderRegistry<>(type, kind, byName, List.of());
  }

  private static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, Kind kind, ServiceLoader<P> loader) {
    Map<String, P> byName = new TreeMap<>();
    List<LoadFailure> failures = new ArrayList<>();
    Iterator<P> it = loader.iterator();
    while (true) {
      P provider;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
      } catch (ServiceConfigurationError e) {
        failures.add(failure(e));
        continue;
      } catch (LinkageError | RuntimeException e) {
        failures.add(new LoadFailure("unknown", e.toString(), e));
        continue;
      }
      String name;
      try {
        name = provider.name();
      } catch (RuntimeException | LinkageError e) {
        failures.add(new LoadFailure(provider.getClass().getName(), "name() threw " + e, e));
        continue;
      }
      if (name == null || !NAME.matcher(name).matches()) {
        failures.add(new LoadFailure(provider.getClass().getName(), "name '" + name + "' does not match [a-z0-9][a-z0-9-]*", null));
        continue;
      }
      add(kind, byName, provider);
    }
    return new ProviderRegistry<>(type, kind, byName, failures);
  }

  private static <P extends NamedProvider> void add(Kind kind, Map<String, P> byName, P provider) {
    P previous = byName.putIfAbsent(provider.name(), provider);
    if (previous != null) {
      throw new ProviderException("two " + kind.singular() + " providers are named '" + provider.name() + "': "
          + previous.getClass().getName() + " (from " + origin(previous) + ") and "
          + provider.getClass().getName() + " (from " + origin(provider) + "); remove one of the jars or rename one provider");
    }
  }

  private static LoadFailure failure(ServiceConfigurationError e) {
    // ServiceLoader's message is "<service>: Provider <class> could not be instantiated" (or similar).
    String message = String.valueOf(e.getMessage());
    Matcher m = FAILED_CLASS.matcher(message);
    String className = m.find() ? m.group(1) : "unknown";
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root == e ? message : root.toString();
    return new LoadFailure(className, reason, e);
  }

  /** Where a provider's class was loaded from: a jar path, a directory, or "unknown". */
  public static String origin(Object provider) {
    try {
      CodeSource cs = provider.getClass().getProtectionDomain().getCodeSource();
      URL url = cs == null ? null : cs.getLocation();
      if (url == null) {
        return "unknown";
      }
      return "file".equals(url.getProtocol()) ? Path.of(url.toURI()).toString() : url.toString();
    } catch (Exception | LinkageError e) {
      return "unknown";
    }
  }

  public Class<P> type() {
    return type;
  }

  public Kind kind() {
    return kind;
  }

  /** Every loaded provider, by name. */
  public List<P> providers() {
    return List.copyOf(byName.values());
  }

  /** Names of the loaded providers, sorted. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** Providers that threw while loading. */
  public List<LoadFailure> failures() {
    return failures;
  }

  /**
   * The provider named {@code name}.
   *
   * @throws ProviderException when there is none: the message lists the available names, or says
   *     which module to add when nothing was found at all, and mentions providers that failed to load
   */
  public P get(String name) {
    requireNonNull(name, "name is null");
    P p = byName.get(name);
    if (p != null) {
      return p;
    }
    StringBuilder msg = new StringBuilder();
    if (byName.isEmpty()) {
      msg.append("no ").append(kind.plural()).append(" found on the class path (asked for '").append(name)
          .append("'); add the ").append(kind.builtInModule()).append(" module or a plugin jar with --plugin-path");
    } else {
      msg.append("unknown ").append(kind.singular()).append(" '").append(name).append("'; available: ")
          .append(String.join(", ", byName.keySet())).append(" (plugins load from --plugin-path)");
    }
    for (LoadFailure f : failures) {
      msg.append("; ").append(f.describe(kind.singular()));
    }
    throw new ProviderException(msg.toString());
  }

  /**
   * Fails when no provider was found at all.
   *
   * @throws ProviderException saying which module to add
   */
  public ProviderRegistry<P> requireAny() {
    if (byName.isEmpty()) {
      StringBuilder msg = new StringBuilder("no ").append(kind.plural()).append(" found on the class path; add the ")
          .append(kind.builtInModule()).append(" module or a plugin jar with --plugin-path");
      for (LoadFailure f : failures) {
        msg.append("; ").append(f.describe(kind.singular()));
      }
      throw new ProviderException(msg.toString());
    }
    return this;
  }
}
