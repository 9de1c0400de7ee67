package org.recycledattention.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.policy.h2o.H2oPolicyProvider;
import org.recycledattention.policy.local.LocalPolicyProvider;
import org.recycledattention.policy.recycled.RecycleSchedule;
import org.recycledattention.policy.recycled.RecycledPolicyProvider;
import org.recycledattention.policy.recycled.RecycledSettings;
import org.recycledattention.policy.snapkv.SnapKvPolicyProvider;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;

class ProvidersTest {
  private static Map<String, AttentionPolicyProvider> discovered() {
    Map<String, AttentionPolicyProvider> byName = new java.util.LinkedHashMap<>();
    for (AttentionPolicyProvider p : ServiceLoader.load(AttentionPolicyProvider.class)) {
      byName.put(p.name(), p);
    }
    return byName;
  }

  @Test
  void allFivePoliciesAreDiscoveredWithTheirCapabilitiesAndKeys() {
    Map<String, AttentionPolicyProvider> p = discovered();
    assertThat(p).containsOnlyKeys("full", "local", "h2o", "snapkv", "recycled");
    assertThat(Providers.policy("recycled")).isInstanceOf(RecycledPolicyProvider.class);

    assertThat(p.get("full").usesBudget()).isFalse();
    assertThat(p.values().stream().filter(AttentionPolicyProvider::usesBudget).map(AttentionPolicyProvider::name))
        .containsExactlyInAnyOrder("local", "h2o", "snapkv", "recycled");

    assertThat(p.get("full").requiredCapabilities()).isEmpty();
    assertThat(p.get("local").requiredCapabilities()).isEqualTo(Set.of(BackendCapability.EVICTION));
    assertThat(p.get("h2o").requiredCapabilities()).isEqualTo(Set.of(BackendCapability.EVICTION, BackendCapability.SCORES));
    assertThat(p.get("snapkv").requiredCapabilities()).isEqualTo(Set.of(BackendCapability.EVICTION, BackendCapability.SCORES));
    assertThat(p.get("recycled").requiredCapabilities()).isEqualTo(Set.of(BackendCapability.PARTIAL_CACHE, BackendCapability.SCORES));

    assertThat(keys(p.get("full"))).isEmpty();
    assertThat(keys(p.get("local"))).containsExactly("sink-tokens");
    assertThat(keys(p.get("h2o"))).containsExactly("heavy-ratio");
    assertThat(keys(p.get("snapkv"))).containsExactly("pool-kernel");
    assertThat(keys(p.get("recycled"))).containsExactly("schedule", "stride", "check-interval", "similarity-threshold",
        "group-reduction", "pool-kernel", "local-tokens");
    for (AttentionPolicyProvider provider : p.values()) {
      assertThat(provider.description()).isNotBlank().doesNotContain("\n");
      assertThat(provider.availability().available()).isTrue();
      for (ConfigProperty<?> property : provider.properties()) {
        assertThat(property.description()).as(property.key()).isNotBlank();
      }
    }
  }

  private static List<String> keys(AttentionPolicyProvider p) {
    return p.properties().stream().map(ConfigProperty::key).toList();
  }

  @Test
  void defaultsAreThePapersSettings() {
    PolicyConfig config = Providers.policyConfig(new RecycledPolicyProvider(), 2048, Map.of());
    assertThat(RecycledPolicyProvider.settings(config)).isEqualTo(new RecycledSettings(2048, RecycleSchedule.FIXED, 10, 5, 0.85,
        GroupReduction.MAX, 7, 0));
    Map<String, AttentionPolicyProvider> p = discovered();
    assertThat(ProviderConfig.defaults("ra.policy.local.", p.get("local").properties()).get(LocalPolicyProvider.SINK_TOKENS)).isEqualTo(4);
    assertThat(ProviderConfig.defaults("ra.policy.h2o.", p.get("h2o").properties()).get(H2oPolicyProvider.HEAVY_RATIO)).isEqualTo(0.5);
    assertThat(ProviderConfig.defaults("ra.policy.snapkv.", p.get("snapkv").properties()).get(SnapKvPolicyProvider.POOL_KERNEL)).isEqualTo(7);
    for (AttentionPolicyProvider provider : p.values()) {
      assertThat(Providers.create(provider, 1024, Map.of(), SimulatedDecoder.shape(2, 4, 2, 8))).isNotNull();
    }
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("local", "sink-tokens", "-1"),
        Arguments.of("local", "sink-tokens", "four"),
        Arguments.of("h2o", "heavy-ratio", "1.01"),
        Arguments.of("h2o", "heavy-ratio", "-0.5"),
        Arguments.of("snapkv", "pool-kernel", "6"),
        Arguments.of("snapkv", "pool-kernel", "0"),
        Arguments.of("recycled", "stride", "0"),
        Arguments.of("recycled", "stride", "-3"),
        Arguments.of("recycled", "check-interval", "0"),
        Arguments.of("recycled", "similarity-threshold", "1.5"),
        Arguments.of("recycled", "similarity-threshold", "-1.01"),
        Arguments.of("recycled", "similarity-threshold", "NaN"),
        Arguments.of("recycled", "schedule", "adaptive"),
        Arguments.of("recycled", "group-reduction", "sum"),
        Arguments.of("recycled", "pool-kernel", "4"),
        Arguments.of("recycled", "pool-kernel", "-7"),
        Arguments.of("recycled", "local-tokens", "-1"));
  }

  @ParameterizedTest(name = "ra.policy.{0}.{1}={2}")
  @MethodSource("invalidValues")
  void invalidValuesAreRejectedNamingTheKeyAndTheValue(String policy, String key, String value) {
    AttentionPolicyProvider provider = discovered().get(policy);
    assertThatThrownBy(() -> Providers.policyConfig(provider, 64, Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.policy." + policy + "." + key)
        .hasMessageContaining("'" + value + "'");
  }

  @Test
  void budgetBelowOneIsRejectedNamingRaBudget() {
    ProviderConfig props = ProviderConfig.defaults("ra.policy.recycled.", new RecycledPolicyProvider().properties());
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> new PolicyConfig(bad, props)).isInstanceOf(ConfigException.class).hasMessageContaining("ra.budget");
    }
  }

  @Test
  void crossKeyChecksNameBothKeys() {
    assertThatThrownBy(() -> Providers.create(new RecycledPolicyProvider(), 8, Map.of("local-tokens", "9"), SimulatedDecoder.shape(1, 1, 1, 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.policy.recycled.local-tokens (9)")
        .hasMessageContaining("ra.budget (8)");
    assertThat(Providers.create(new RecycledPolicyProvider(), 8, Map.of("local-tokens", "8"), SimulatedDecoder.shape(1, 1, 1, 1))).isNotNull();
  }

  @Test
  void unknownKeysAreRejectedListingTheAllowedOnes() {
    assertThatThrownBy(() -> Providers.policyConfig(discovered().get("snapkv"), 8, Map.of("kernel", "7")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.policy.snapkv.kernel")
        .hasMessageContaining("ra.policy.snapkv.pool-kernel");
    assertThatThrownBy(() -> Providers.policyConfig(discovered().get("full"), 8, Map.of("stride", "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("takes no keys");
  }
}
