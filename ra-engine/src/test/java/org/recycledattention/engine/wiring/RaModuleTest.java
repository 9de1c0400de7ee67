package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.config.ValidatedConfig;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;
import org.recycledattention.engine.wiring.testplugins.TestPolicyProvider;

/** The Guice composition root: map bindings, the selected policy and backend, and refusals. */
class RaModuleTest {
  @Test
  void bindsOneMapEntryPerProvider() {
    Providers providers = TestProviders.standard();
    try (RaRuntime runtime = RaRuntime.create(providers, Configuration.of(Map.of()))) {
      Map<String, AttentionPolicyProvider> policies = runtime.injector().getInstance(Key.get(new TypeLiteral<Map<String, AttentionPolicyProvider>>() {}));
      Map<String, KvCacheBackendProvider> backends = runtime.injector().getInstance(Key.get(new TypeLiteral<Map<String, KvCacheBackendProvider>>() {}));
      assertThat(policies).containsOnlyKeys("alpha", "beta");
      assertThat(policies.get("alpha")).isSameAs(providers.policies().get("alpha"));
      assertThat(backends).containsOnlyKeys("testbackend", "bare");
      assertThat(runtime.injector().getInstance(ValidatedConfig.class)).isSameAs(runtime.config());
    }
  }

  @Test
  void providesTheSelectedPolicyAndBackendOnceAndClosesTheBackend() {
    TestBackendProvider extra = new TestBackendProvider("extra", Availability.available("test"), EnumSet.allOf(BackendCapability.class), null);
    Providers providers = TestProviders.standard(extra);
    Configuration c = Configuration.of(Map.of("ra.policy", "alpha", "ra.backend", "extra", "ra.budget", "64",
        "ra.backend.extra.dtype", "f16", "ra.policy.alpha.window", "5"));
    RaRuntime runtime = RaRuntime.create(providers, c);
    PolicyFactory policy = runtime.policyFactory();
    assertThat(policy.name()).isEqualTo("alpha");
    assertThat(policy.config().budget()).isEqualTo(64);
    assertThat(policy.config().properties().get(TestPolicyProvider.WINDOW)).isEqualTo(5);
    assertThat(runtime.policyFactory()).isSameAs(policy);

    KvCacheBackend backend = runtime.backend();
    assertThat(backend.name()).isEqualTo("extra");
    assertThat(backend.storageDtype()).isEqualTo(KvDtype.F16);
    assertThat(runtime.backend()).isSameAs(backend);
    assertThat(extra.created).hasValue(1);

    runtime.close();
    assertThat(extra.closed).hasValue(1);
    runtime.close();
    assertThat(extra.closed).as("close is idempotent").hasValue(1);
  }

  @Test
  void refusesABackendThatLacksACapabilityThePolicyNeeds() {
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(), Configuration.of(Map.of("ra.policy", "alpha", "ra.backend", "bare")))) {
      assertThatThrownBy(runtime::backend)
          .isInstanceOf(ProviderException.class)
          .hasMessage("attention policy 'alpha' needs backend capability SCORES, which KV-cache backend 'bare' lacks; "
              + "choose another backend with --backend ('ra backends' lists each one's capabilities)");
      assertThatThrownBy(runtime::checkSelection).isInstanceOf(ProviderException.class).hasMessageContaining("SCORES");
    }
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(), Configuration.of(Map.of("ra.policy", "beta", "ra.backend", "bare")))) {
      assertThat(runtime.backend().name()).isEqualTo("bare");
    }
  }

  @Test
  void checkSelectionDoesNotStartTheBackend() {
    TestBackendProvider extra = new TestBackendProvider("extra", Availability.available("test"), EnumSet.allOf(BackendCapability.class), null);
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(extra), Configuration.of(Map.of("ra.policy", "beta", "ra.backend", "extra")))) {
      runtime.checkSelection();
      assertThat(extra.created).hasValue(0);
    }
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(), Configuration.of(Map.of("ra.policy", "beta", "ra.backend", "nope")))) {
      assertThatThrownBy(runtime::checkSelection)
          .isInstanceOf(ProviderException.class)
          .hasMessage("unknown KV-cache backend 'nope'; available: bare, testbackend (plugins load from --plugin-path)");
    }
  }

  @Test
  void aBackendThatFailsToStartIsARuntimeFailureNamingIt() {
    TestBackendProvider broken = new TestBackendProvider("broken", Availability.available("test"), EnumSet.allOf(BackendCapability.class),
        new IllegalStateException("cannot map device memory"));
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(broken), Configuration.of(Map.of("ra.policy", "beta", "ra.backend", "broken")))) {
      assertThatThrownBy(runtime::backend)
          .isExactlyInstanceOf(RaException.class)
          .hasMessageStartingWith("KV-cache backend 'broken' failed to start: java.lang.IllegalStateException: cannot map device memory")
          .satisfies(e -> assertThat(((RaException) e).exitCode()).isEqualTo(1));
    }
  }

  @Test
  void aBackendsOwnRaExceptionPassesThroughUnwrapped() {
    RaException own = new org.recycledattention.api.config.ConfigException("ra.backend.broken.dtype: f16 needs a GPU");
    TestBackendProvider broken = new TestBackendProvider("broken", Availability.available("test"), EnumSet.allOf(BackendCapability.class), own);
    try (RaRuntime runtime = RaRuntime.create(TestProviders.standard(broken), Configuration.of(Map.of("ra.policy", "beta", "ra.backend", "broken")))) {
      assertThatThrownBy(runtime::backend).isSameAs(own);
    }
  }
}
