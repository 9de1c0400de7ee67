package org.recycledattention.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.engine.decode.PolicyFactory;

/** Backends, policies and fixtures for the engine's tests. */
public final class Runtimes {
  private Runtimes() {}

  /** The stories260K fixture folder; skips the test when it is absent. */
  public static Path stories() {
    Path dir = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures")).resolve("stories260K");
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixtures not found at " + dir.toAbsolutePath() + " (set -Dra.fixtures)");
    return dir;
  }

  /** The real {@code cpu} backend when it is on the class path, else the reference test cache. */
  public static KvCacheBackend cpuOrReference() {
    for (KvCacheBackendProvider p : ServiceLoader.load(KvCacheBackendProvider.class)) {
      if (p.name().equals("cpu") && p.isAvailable()) {
        return p.create(ProviderConfig.defaults("ra.backend.cpu.", p.properties()));
      }
    }
    return ReferenceTestCache.backend(true);
  }

  /** ra-policies' {@code full} when it is on the class path, else the test-only full policy. */
  public static PolicyFactory full() {
    for (AttentionPolicyProvider p : ServiceLoader.load(AttentionPolicyProvider.class)) {
      if (p.name().equals("full")) {
        return new PolicyFactory(p, new PolicyConfig(1 << 20, ProviderConfig.defaults("ra.policy.full.", p.properties())));
      }
    }
    return FullTestPolicy.factory();
  }
}
