package org.recycledattention.cli.testplugins;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;

/** Backend "gpu-test": never available here ("no CUDA device"). */
public final class GpuTestBackend implements KvCacheBackendProvider {
  @Override
  public String name() {
    return "gpu-test";
  }

  @Override
  public String description() {
    return "test backend that needs a GPU";
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    return List.of(ConfigProperty.ofInt("device", 0, 0, 7, "CUDA device index"));
  }

  @Override
  public Availability availability() {
    return Availability.unavailable("no CUDA device");
  }

  @Override
  public Set<BackendCapability> capabilities() {
    return EnumSet.allOf(BackendCapability.class);
  }

  @Override
  public KvCacheBackend create(ProviderConfig config) {
    throw new IllegalStateException("unavailable backends are never created");
  }
}
