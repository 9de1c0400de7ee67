package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * A {@link KvCacheBackendProvider} that states its name, description, keys and capabilities once, in
 * its constructor; a backend implements {@code create} (and {@code availability} when it needs natives
 * or a device).
 */
public abstract class AbstractBackendProvider implements KvCacheBackendProvider {
  private final ProviderInfo info;
  private final Set<BackendCapability> capabilities;

  protected AbstractBackendProvider(ProviderInfo info, Set<BackendCapability> capabilities) {
    this.info = requireNonNull(info, "info is null");
    this.capabilities = Set.copyOf(capabilities.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(capabilities));
  }

  @Override
  public final String name() {
    return info.name();
  }

  @Override
  public final String description() {
    return info.description();
  }

  @Override
  public final List<ConfigProperty<?>> properties() {
    return info.properties();
  }

  @Override
  public final Set<BackendCapability> capabilities() {
    return capabilities;
  }
}
