package org.recycledattention.engine.testing;

import java.util.EnumSet;
import java.util.Map;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.ReferenceBackend;

/** Backends and policies for the engine's tests, from the conformance kit and the built-in providers. */
public final class Runtimes {
  private Runtimes() {}

  /**
   * The real {@code cpu} backend storing f32 (its default is f16): the tests compare logits with f32
   * references. The caller closes it.
   */
  public static KvCacheBackend cpu() {
    return Providers.create(Providers.backend("cpu"), Map.of("dtype", "f32"));
  }

  /**
   * The kit's reference attention behind the SPI, full attention only: with {@link
   * BackendCapability#MULTI_QUERY} (prefill in chunks) or without (prefill token by token).
   */
  public static KvCacheBackend reference(boolean multiQuery) {
    ReferenceBackend provider = new ReferenceBackend(multiQuery ? EnumSet.of(BackendCapability.MULTI_QUERY) : EnumSet.noneOf(BackendCapability.class));
    return Providers.create(provider, Map.of());
  }

  /** ra-policies' {@code full} attention. */
  public static PolicyFactory full() {
    return policy("full", 1 << 20);
  }

  /** The built-in policy {@code name} with its default keys and budget {@code budget}. */
  public static PolicyFactory policy(String name, int budget) {
    AttentionPolicyProvider p = Providers.policy(name);
    return new PolicyFactory(p, Providers.policyConfig(p, budget, Map.of()));
  }
}
