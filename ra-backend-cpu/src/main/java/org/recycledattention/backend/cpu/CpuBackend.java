package org.recycledattention.backend.cpu;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCacheBackend;

/**
 * The pure-Java backend: heap KV storage in {@code f32}, {@code f16} or {@code bf16} and Vector API
 * attention. Owns one {@link ForkJoinPool} of {@code threads - 1} daemon workers shared by all of
 * its caches (the thread that calls {@code attend} is the remaining one).
 *
 * <p>Thread-safe: caches may be allocated and used from several threads, one thread per cache.
 */
public final class CpuBackend extends AbstractKvCacheBackend {
  /** The provider name. */
  public static final String NAME = "cpu";

  private static final Set<BackendCapability> CAPABILITIES = Set.copyOf(EnumSet.of(
      BackendCapability.SCORES, BackendCapability.PARTIAL_CACHE, BackendCapability.EVICTION, BackendCapability.MULTI_QUERY));

  private final int threads;
  private final ForkJoinPool pool;

  private CpuBackend(KvDtype dtype, int threads) {
    super(NAME, CAPABILITIES, dtype);
    this.threads = threads;
    if (threads > 1) {
      AtomicInteger ids = new AtomicInteger();
      this.pool = new ForkJoinPool(threads - 1, p -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setName("ra-cpu-attention-" + ids.incrementAndGet());
        t.setDaemon(true);
        return t;
      }, null, false);
    } else {
      this.pool = null;
    }
  }

  /**
   * A backend storing keys and values as {@code dtype}, computing each attention call on up to
   * {@code threads} threads ({@code 0}: one per available processor).
   */
  public static CpuBackend create(KvDtype dtype, int threads) {
    requireNonNull(dtype, "dtype is null");
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 (0 = one per processor), got " + threads);
    }
    return new CpuBackend(dtype, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
  }

  /** Threads one attention call may use, the caller included. */
  public int threads() {
    return threads;
  }

  @Override
  protected KvCache newCache(CacheSpec spec) {
    return new CpuKvCache(this, spec);
  }

  ForkJoinPool pool() {
    return pool;
  }

  @Override
  protected void release() {
    if (pool != null) {
      pool.shutdown();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "cpu backend (" + storageDtype().name().toLowerCase(Locale.ROOT) + ", " + threads + " threads)";
  }
}
