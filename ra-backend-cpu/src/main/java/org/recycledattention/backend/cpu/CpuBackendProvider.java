package org.recycledattention.backend.cpu;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * The {@code cpu} backend's entry point. Keys, under {@code ra.backend.cpu.}: {@code dtype} ({@code
 * f16} by default, {@code f32} or {@code bf16}: the storage type of keys and values; f16 was chosen
 * by measurement, see the README's "vs llama.cpp") and {@code threads}
 * (threads per attention call, {@code 0} = one per processor).
 *
 * <p>Stateless and thread-safe.
 */
public final class CpuBackendProvider extends AbstractBackendProvider {
  public static final ConfigProperty<String> DTYPE = ConfigProperty.ofChoice("dtype", "f16", List.of("f32", "f16", "bf16"),
      "storage type of cached keys and values; f16 (as llama.cpp) and bf16 halve memory and bytes read, f32 for exact comparisons"
          + " (attention always accumulates in f32)");
  public static final ConfigProperty<Integer> THREADS = ConfigProperty.ofInt("threads", 0, 0, 4096,
      "threads per attention call, the caller included; 0 = one per available processor");

  /** Public no-argument constructor for {@link ServiceLoader}. */
  public CpuBackendProvider() {
    super(new ProviderInfo(CpuBackend.NAME, "pure-Java KV cache and attention on the heap (Vector API), the reference backend",
        DTYPE, THREADS), EnumSet.allOf(BackendCapability.class));
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
  protected KvCacheBackend newBackend(ProviderConfig config) {
    KvDtype dtype = KvDtype.valueOf(config.get(DTYPE).toUpperCase(Locale.ROOT));
    return CpuBackend.create(dtype, config.get(THREADS));
  }
}
