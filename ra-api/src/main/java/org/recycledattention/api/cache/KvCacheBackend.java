package org.recycledattention.api.cache;

import java.util.Set;

/**
 * A configured backend: allocates caches. Holds shared resources (a thread pool, a native engine,
 * compiled graphs) that {@link #close()} releases.
 *
 * <p>Thread-safe: caches may be allocated and used from several threads, one thread per cache.
 */
public interface KvCacheBackend extends AutoCloseable {
  /** The provider name. */
  String name();

  Set<BackendCapability> capabilities();

  /** The storage type its caches use. */
  KvDtype storageDtype();

  /** A new, empty cache; the caller closes it. */
  KvCache allocate(CacheSpec spec);

  /** Releases shared resources. Caches should be closed first. Idempotent. */
  @Override
  void close();
}
