package org.recycledattention.api.cache;

import java.util.Set;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.NamedProvider;

/**
 * Entry point of a KV-cache backend, found by {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.recycledattention.api.cache.KvCacheBackendProvider}.
 *
 * <p>{@link #availability()} must not throw and must not crash the JVM when native libraries are
 * missing: load them lazily and report the reason. Thread-safe.
 */
public interface KvCacheBackendProvider extends NamedProvider {
  /** Shorthand for {@code availability().available()}. */
  default boolean isAvailable() {
    return availability().available();
  }

  /** What its caches support. */
  Set<BackendCapability> capabilities();

  /**
   * A backend configured by {@code config} (this provider's keys, validated).
   *
   * @throws org.recycledattention.api.RaException when it cannot start (naming what is missing)
   */
  KvCacheBackend create(ProviderConfig config);
}
