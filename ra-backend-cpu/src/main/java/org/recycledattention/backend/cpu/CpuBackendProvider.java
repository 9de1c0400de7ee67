package org.recycledattention.backend.cpu;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;

/**
 * The {@code cpu} backend's entry point. Keys, under {@code ra.backend.cpu.}: {@code dtype} ({@code
 * f32}, {@code f16} or {@code bf16}: the storage type of keys and values) and {@code threads}
 * (threads per attention call, {@code 0} = one per processor).
 *
 * <p>Stateless and thread-safe.
 */
public final class CpuBackendProvider implements KvCacheBackendProvider {
  public static final String DTYPE = "dtype";
  public static final String THREADS = "threads";

  private static final List<ConfigProperty> PROPERTIES = List.of(
      ConfigProperty.ofChoice(DTYPE, "f32", List.of("f32", "f16", "bf16"),
          "storage type of cached keys and values; f16/bf16 halve memory and bytes read (attention still accumulates in f32)"),
      ConfigProperty.ofInt(THREADS, 0, 0, 4096, "threads per attention call, the caller included; 0 = one per available processor"));

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public CpuBackendProvider() {}

  @Override
  public String name() {
    return CpuBackend.NAME;
  }

  @Override
  public String description() {
    return "pure-Java KV cache and attention on the heap (Vector API), the reference backend";
  }

  @Override
  public List<ConfigProperty> properties() {
    return PROPERTIES;
  }

  @Override
  public Availability availability() {
    try {
      return Availability.available("pure Java, Vector API " + VectorMath.describe());
    } catch (LinkageError e) {
      return Availability.unavailable("the Vector API module is missing (" + e + "); run the JVM with --add-modules jdk.incubator.vector");
    }
  }

  @Override
  public Set<BackendCapability> capabilities() {
    return Set.of(BackendCapability.SCORES, BackendCapability.PARTIAL_CACHE, BackendCapability.EVICTION, BackendCapability.MULTI_QUERY);
  }

  @Override
  public KvCacheBackend create(ProviderConfig config) {
    requireNonNull(config, "config is null");
    KvDtype dtype = KvDtype.valueOf(config.getString(DTYPE).toUpperCase(Locale.ROOT));
    return CpuBackend.create(dtype, config.getInt(THREADS));
  }
}
