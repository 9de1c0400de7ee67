package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.registry.LoadFailure;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.engine.wiring.testplugins.AlphaPolicy;
import org.recycledattention.engine.wiring.testplugins.OtherAlphaPolicy;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;
import org.recycledattention.engine.wiring.testplugins.TestPolicyProvider;
import org.recycledattention.engine.wiring.testplugins.ThrowingPolicy;

/** Every failure mode of provider discovery, through plugin jars written by the test. */
class ProviderDiscoveryTest {
  @TempDir
  Path tmp;

  @Test
  void findsProvidersInPluginJarsAndReportsTheJar() throws Exception {
    Path jar = PluginJars.write(tmp.resolve("plugins"), "alpha.jar", List.of(AlphaPolicy.class), List.of(TestBackendProvider.class));
    try (Plugins plugins = Plugins.load(List.of(tmp.resolve("plugins")), PluginJars.hidingParent())) {
      Providers providers = Providers.discover(plugins.classLoader());

      assertThat(providers.policies().names()).containsExactly("alpha");
      assertThat(providers.backends().names()).containsExactly("testbackend");
      AttentionPolicyProvider alpha = providers.policies().get("alpha");
      assertThat(ProviderRegistry.origin(alpha)).isEqualTo(jar.toString());
      assertThat(alpha.getClass().getClassLoader()).isSameAs(plugins.classLoader());
      assertThat(providers.declaredKeys()).containsKeys("ra.policy.alpha.window", "ra.backend.testbackend.dtype", "ra.budget", "ra.threads");
    }
  }

  @Test
  void twoProvidersWithOneNameFailNamingBothClassesAndTheirJars() throws Exception {
    Path dir = tmp.resolve("plugins");
    Path a = PluginJars.write(dir, "a.jar", List.of(AlphaPolicy.class), List.of());
    Path b = PluginJars.write(dir, "b.jar", List.of(OtherAlphaPolicy.class), List.of());
    try (Plugins plugins = Plugins.load(List.of(dir), PluginJars.hidingParent())) {
      assertThatThrownBy(() -> Providers.discover(plugins.classLoader()))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("two attention policy providers are named 'alpha'")
          .hasMessageContaining(AlphaPolicy.class.getName() + " (from " + a + ")")
          .hasMessageContaining(OtherAlphaPolicy.class.getName() + " (from " + b + ")")
          .satisfies(e -> assertThat(((RaException) e).exitCode()).isEqualTo(2));
    }
  }

  @Test
  void aProviderThatThrowsIsReportedAndTheOthersStayUsable() throws Exception {
    Path dir = tmp.resolve("plugins");
    PluginJars.write(dir, "mixed.jar", List.of(ThrowingPolicy.class, AlphaPolicy.class), List.of(TestBackendProvider.class));
    try (Plugins plugins = Plugins.load(List.of(dir), PluginJars.hidingParent())) {
      Providers providers = Providers.discover(plugins.classLoader());

      assertThat(providers.policies().names()).containsExactly("alpha");
      assertThat(providers.policies().failures()).extracting(LoadFailure::className).containsExactly(ThrowingPolicy.class.getName());
      assertThat(providers.policies().failures().getFirst().reason()).contains("boom: native library libfoo.so not found");
      // the others stay usable, end to end
      try (RaRuntime runtime = RaRuntime.create(providers, Configuration.of(Map.of("ra.policy", "alpha", "ra.backend", "testbackend")))) {
        assertThat(runtime.policyFactory().name()).isEqualTo("alpha");
        assertThat(runtime.backend().name()).isEqualTo("testbackend");
      }
      // and an unknown name mentions the failure, so the user learns why their policy is missing
      assertThatThrownBy(() -> providers.policies().get("throwing"))
          .isInstanceOf(ProviderException.class)
          .hasMessage("unknown attention policy 'throwing'; available: alpha (plugins load from --plugin-path); attention policy provider "
              + ThrowingPolicy.class.getName() + " failed to load: java.lang.IllegalStateException: boom: native library libfoo.so not found");
    }
  }

  @Test
  void anUnknownPolicyListsTheAvailableOnesInTheExactWords() {
    List<AttentionPolicyProvider> builtIns = List.of("snapkv", "full", "recycled", "h2o", "local").stream()
        .<AttentionPolicyProvider>map(n -> new TestPolicyProvider(n, Set.of())).toList();
    Providers providers = new Providers(
        ProviderRegistry.ofProviders(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, builtIns),
        ProviderRegistry.ofProviders(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, List.of(new TestBackendProvider())));

    try (RaRuntime runtime = RaRuntime.create(providers, Configuration.of(Map.of("ra.policy", "nope")))) {
      assertThatThrownBy(runtime::policyFactory)
          .isInstanceOf(ProviderException.class)
          .hasMessage("unknown attention policy 'nope'; available: full, h2o, local, recycled, snapkv (plugins load from --plugin-path)")
          .satisfies(e -> assertThat(((RaException) e).exitCode()).isEqualTo(2));
    }
  }

  @Test
  void noProvidersAtAllSaysWhichModuleToAdd() throws Exception {
    try (Plugins plugins = Plugins.load(List.of(), PluginJars.hidingParent())) {
      Providers providers = Providers.discover(plugins.classLoader());
      assertThat(providers.policies().names()).isEmpty();

      assertThatThrownBy(() -> providers.policies().requireAny())
          .isInstanceOf(ProviderException.class)
          .hasMessage("no attention policies found on the class path; add the ra-policies module or a plugin jar with --plugin-path");
      assertThatThrownBy(() -> providers.backends().requireAny())
          .hasMessage("no KV-cache backends found on the class path; add the ra-backend-cpu module or a plugin jar with --plugin-path");
      try (RaRuntime runtime = RaRuntime.create(providers, Configuration.of(Map.of()))) {
        assertThatThrownBy(runtime::backend)
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("no attention policies found on the class path (asked for 'recycled'); add the ra-policies module");
      }
    }
  }

  @Test
  void theClassPathOffersTheFiveBuiltInPoliciesOnceRaPoliciesIsBuilt() {
    Providers providers = Providers.discover(RaRuntime.class.getClassLoader());
    assumeThat(providers.policies().names())
        .as("ra-policies on the test class path has no policies yet (its jar in ~/.m2 is empty)")
        .isNotEmpty();
    assertThat(providers.policies().names()).contains("full", "h2o", "local", "recycled", "snapkv");
    assertThat(providers.policies().failures()).isEmpty();
  }

  @Test
  void unavailableBackendsAreListedButRefusedWithTheirReason() {
    TestBackendProvider gpu = new TestBackendProvider("gpu", Availability.unavailable("no CUDA device"), EnumSet.allOf(BackendCapability.class), null);
    Providers providers = new Providers(
        ProviderRegistry.ofProviders(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, List.of(new TestPolicyProvider("alpha", Set.of()))),
        ProviderRegistry.ofProviders(KvCacheBackendProvider.class, ProviderRegistry.Kind.BACKEND, List.of(gpu)));
    try (RaRuntime runtime = RaRuntime.create(providers, Configuration.of(Map.of("ra.policy", "alpha", "ra.backend", "gpu")))) {
      assertThat(runtime.backendRegistry().names()).containsExactly("gpu");
      assertThatThrownBy(runtime::backend)
          .isInstanceOf(ProviderException.class)
          .hasMessage("KV-cache backend 'gpu' is not available: no CUDA device; choose another with --backend ('ra backends' shows what each one needs)");
      assertThat(gpu.created).hasValue(0);
    }
  }
}
