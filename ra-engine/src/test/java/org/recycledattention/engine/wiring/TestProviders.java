package org.recycledattention.engine.wiring;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;
import org.recycledattention.engine.wiring.testplugins.TestPolicyProvider;

/** Providers for configuration and module tests, passed as instances (no discovery). */
final class TestProviders {
  private TestProviders() {}

  /** Policies alpha (needs SCORES) and beta; backends testbackend (everything) and bare (no capabilities). */
  static Providers standard(TestBackendProvider... more) {
    List<KvCacheBackendProvider> backends = new java.util.ArrayList<>(List.of(
        new TestBackendProvider(),
        new TestBackendProvider("bare", Availability.available("test"), EnumSet.noneOf(BackendCapability.class), null)));
    backends.addAll(List.of(more));
    return new Providers(
        ProviderRegistry.ofProviders(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY,
            List.of(new TestPolicyProvider("alpha", Set.of(BackendCapability.SCORES)), new TestPolicyProvider("beta", Set.of()))),
        ProviderRegistry.ofProviders(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, backends));
  }
}
