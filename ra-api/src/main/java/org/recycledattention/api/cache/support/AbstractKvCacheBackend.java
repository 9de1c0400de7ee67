package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;

/**
 * A {@link KvCacheBackend} less its resources: name, capabilities and storage type, the closed state
 * ({@link #allocate} refuses after {@link #close()}, which runs {@link #release()} once). A backend
 * implements {@link #newCache} and {@link #release}.
 *
 * <p>Thread-safe, as the contract asks: subclasses keep their shared resources thread-safe.
 */
public abstract class AbstractKvCacheBackend implements KvCacheBackend {
  private final String name;
  private final Set<BackendCapability> capabilities;
  private final KvDtype dtype;
  private volatile boolean closed;

  protected AbstractKvCacheBackend(String name, Set<BackendCapability> capabilities, KvDtype dtype) {
    this.name = requireNonNull(name, "name is null");
    this.capabilities = Set.copyOf(capabilities.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(capabilities));
    this.dtype = requireNonNull(dtype, "dtype is null");
  }

  /** A new, empty cache for {@code spec} (not null; the backend is open). */
  protected abstract KvCache newCache(CacheSpec spec);

  /** Releases the shared resources; called once, by {@link #close()}. */
  protected abstract void release();

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Set<BackendCapability> capabilities() {
    return capabilities;
  }

  @Override
  public final KvDtype storageDtype() {
    return dtype;
  }

  @Override
  public final KvCache allocate(CacheSpec spec) {
    requireNonNull(spec, "spec is null");
    checkOpen();
    return newCache(spec);
  }

  /** @throws IllegalStateException after {@link #close()} */
  public final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the " + name + " backend is closed; create a new one");
    }
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }
}
