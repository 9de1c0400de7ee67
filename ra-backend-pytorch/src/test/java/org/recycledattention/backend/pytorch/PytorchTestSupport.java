package org.recycledattention.backend.pytorch;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;

/** Shared helpers: a backend (skipping when libtorch cannot load here) and random data. */
final class PytorchTestSupport {
  private PytorchTestSupport() {}

  /**
   * A backend with {@code dtype} on the CPU, one intra-op thread (the test machines are shared:
   * libtorch's spinning OpenMP workers slow down badly when oversubscribed).
   */
  static KvCacheBackend backend(String dtype) {
    PytorchBackendProvider provider = new PytorchBackendProvider();
    Availability a = provider.availability();
    assumeTrue(a.available(), () -> "libtorch cannot load here, skipping: " + a.detail());
    return provider.create(ProviderConfig.resolve(ConfigKeys.backendPrefix(PytorchBackendProvider.NAME), provider.properties(),
        Map.of("dtype", dtype, "device", "cpu", "threads", "1")));
  }

  /** Largest |a - b|. */
  static double maxError(float[] actual, double[] expected) {
    double m = 0;
    for (int i = 0; i < expected.length; i++) {
      m = Math.max(m, Math.abs(actual[i] - expected[i]));
    }
    return m;
  }

  static long seed() {
    return Long.getLong("ra.seed", System.nanoTime());
  }
}
