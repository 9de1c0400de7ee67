package org.recycledattention.engine.wiring.testplugins;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCacheBackend;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;

/**
 * A backend provider whose availability and capabilities the test chooses; counts the backends it
 * created and closed. Key: {@code dtype} (f32 | f16).
 */
public class TestBackendProvider implements KvCacheBackendProvider {
  /** {@code dtype}: the storage type the backend reports. */
  public static final ConfigProperty<String> DTYPE = ConfigProperty.ofChoice("dtype", "f32", List.of("f32", "f16"), "storage type");

  private final String name;
  private final Availability availability;
  private final Set<BackendCapability> capabilities;
  private final RuntimeException failOnCreate;
  public final AtomicInteger created = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();

  public TestBackendProvider(String name, Availability availability, Set<BackendCapability> capabilities, RuntimeException failOnCreate) {
    this.name = name;
    this.availability = availability;
    this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(capabilities);
    this.failOnCreate = failOnCreate;
  }

  public TestBackendProvider() {
    this("testbackend", Availability.available("test"), EnumSet.allOf(BackendCapability.class), null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "test backend " + name;
  }

  @Override
  public List<ConfigProperty<?>> properties() {
    return List.of(DTYPE);
  }

  @Override
  public Availability availability() {
    return availability;
  }

  @Override
  public Set<BackendCapability> capabilities() {
    return capabilities;
  }

  @Override
  public KvCacheBackend create(ProviderConfig config) {
    if (failOnCreate != null) {
      throw failOnCreate;
    }
    created.incrementAndGet();
    KvDtype dtype = config.get(DTYPE).equals("f16") ? KvDtype.F16 : KvDtype.F32;
    return new Backend(dtype);
  }

  /** The created backend: reports its dtype, allocates nothing, counts its closing. */
  public final class Backend extends AbstractKvCacheBackend {
    Backend(KvDtype dtype) {
      super(name, capabilities, dtype);
    }

    @Override
    protected KvCache newCache(CacheSpec spec) {
      throw new UnsupportedOperationException("test backend allocates no cache");
    }

    @Override
    protected void release() {
      closed.incrementAndGet();
    }
  }
}
