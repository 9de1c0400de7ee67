package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtNDManager;
import java.util.EnumSet;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;

/**
 * A configured pytorch backend: one DJL base manager on one device; each cache gets a sub-manager of
 * it. {@link #close()} frees every tensor of every cache still open.
 *
 * <p>Thread-safe: caches may be allocated and used from several threads, one thread per cache.
 */
final class PytorchBackend implements KvCacheBackend {
  private final PtNDManager manager;
  private final Device device;
  private final KvDtype dtype;
  private final String detail;

  PytorchBackend(Engine engine, Device device, KvDtype dtype, String detail) {
    requireNonNull(engine, "engine is null");
    this.device = requireNonNull(device, "device is null");
    this.dtype = requireNonNull(dtype, "dtype is null");
    this.detail = requireNonNull(detail, "detail is null");
    this.manager = (PtNDManager) engine.newBaseManager(device);
  }

  @Override
  public String name() {
    return PytorchBackendProvider.NAME;
  }

  @Override
  public Set<BackendCapability> capabilities() {
    return EnumSet.allOf(BackendCapability.class);
  }

  @Override
  public KvDtype storageDtype() {
    return dtype;
  }

  /** The device caches live on. */
  Device device() {
    return device;
  }

  @Override
  public KvCache allocate(CacheSpec spec) {
    requireNonNull(spec, "spec is null");
    if (!manager.isOpen()) {
      throw new IllegalStateException("the pytorch backend is closed");
    }
    return new PytorchKvCache(name(), capabilities(), spec, (PtNDManager) manager.newSubManager(), dtype);
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "pytorch backend (" + detail + ", device " + device + ", " + dtype + ")";
  }
}
