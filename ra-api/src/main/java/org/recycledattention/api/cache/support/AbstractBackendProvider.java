package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.AbstractProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * A {@link KvCacheBackendProvider} that states its name, description, keys and capabilities once, in
 * its constructor; a backend implements {@link #newBackend} (and {@code availability} when it needs
 * natives or a device).
 */
public abstract class AbstractBackendProvider extends AbstractProvider implements KvCacheBackendProvider {
  private final Set<BackendCapability> capabilities;

  protected AbstractBackendProvider(ProviderInfo info, Set<BackendCapability> capabilities) {
    super(info);
    this.capabilities = Set.copyOf(capabilities);
  }

  @Override
  public final Set<BackendCapability> capabilities() {
    return capabilities;
  }

  /** Checks {@code config} is there and asks {@link #newBackend} for the backend. */
  @Override
  public final KvCacheBackend create(ProviderConfig config) {
    return newBackend(requireNonNull(config, "config is null"));
  }

  /** A new backend configured by {@code config} (not null, prefix-stripped). */
  protected abstract KvCacheBackend newBackend(ProviderConfig config);
}
