package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtNDManager;
import java.util.EnumSet;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCacheBackend;

/**
 * A configured pytorch backend: one DJL base manager on one device; each cache gets a sub-manager of
 * it. {@link #close()} frees every tensor of every cache still open.
 *
 * <p>Thread-safe: caches may be allocated and used from several threads, one thread per cache.
 */
final class PytorchBackend extends AbstractKvCacheBackend {
  private final PtNDManager manager;
  private final Device device;
  private final String detail;

  PytorchBackend(Engine engine, Device device, KvDtype dtype, String detail) {
    super(PytorchBackendProvider.NAME, EnumSet.allOf(BackendCapability.class), dtype);
    requireNonNull(engine, "engine is null");
    this.device = requireNonNull(device, "device is null");
    this.detail = requireNonNull(detail, "detail is null");
    this.manager = (PtNDManager) engine.newBaseManager(device);
  }

  /** The device caches live on. */
  Device device() {
    return device;
  }

  @Override
  protected KvCache newCache(CacheSpec spec) {
    return new PytorchKvCache(name(), capabilities(), spec, (PtNDManager) manager.newSubManager(), storageDtype());
  }

  @Override
  protected void release() {
    manager.close();
  }

  @Override
  public String toString() {
    return "pytorch backend (" + detail + ", device " + device + ", " + storageDtype() + ")";
  }
}
