package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.config.ConfigSource;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.engine.wiring.testplugins.TestPolicyProvider;

/** Layering (default &lt; file &lt; environment &lt; command line), provenance, and rejection of bad keys and values. */
class ConfigLayersTest {
  @TempDir
  Path tmp;

  private final Providers providers = TestProviders.standard();

  private Path file(String text) throws IOException {
    Path f = tmp.resolve("ra.properties");
    Files.writeString(f, text);
    return f;
  }

  private static Map<String, Configuration.Entry> byKey(RaRuntime runtime) {
    return runtime.effectiveConfiguration().stream().collect(Collectors.toMap(Configuration.Entry::key, Function.identity()));
  }

  @Test
  void fileOverridesDefaultsEnvironmentOverridesFileCommandLineOverridesAll() throws IOException {
    Path f = file("ra.budget=10\nra.policy=beta\nra.policy.alpha.window=7\nra.backend.testbackend.dtype=f16\n");
    ConfigLayers layers = new ConfigLayers(Optional.of(f),
        Map.of("RA_BUDGET", "20", "RA_POLICY_ALPHA_WINDOW", "9", "HOME", "/root"),
        List.of(new Setting("ra.budget", "30", "--budget"), Setting.parse("ra.policy=alpha")));

    try (RaRuntime runtime = RaRuntime.create(providers, layers.resolve(providers.declaredKeys()))) {
      Map<String, Configuration.Entry> e = byKey(runtime);
      assertThat(e.get("ra.budget")).isEqualTo(new Configuration.Entry("ra.budget", "30", ConfigSource.COMMAND_LINE, "--budget"));
      assertThat(e.get("ra.policy")).isEqualTo(new Configuration.Entry("ra.policy", "alpha", ConfigSource.COMMAND_LINE, "--set"));
      assertThat(e.get("ra.policy.alpha.window")).isEqualTo(new Configuration.Entry("ra.policy.alpha.window", "9", ConfigSource.ENVIRONMENT, "RA_POLICY_ALPHA_WINDOW"));
      assertThat(e.get("ra.backend.testbackend.dtype")).isEqualTo(new Configuration.Entry("ra.backend.testbackend.dtype", "f16", ConfigSource.FILE, f.toString()));
      assertThat(e.get("ra.backend")).isEqualTo(new Configuration.Entry("ra.backend", "cpu", ConfigSource.DEFAULT, "built-in"));
      assertThat(e.get("ra.policy.beta.window").source()).isEqualTo(ConfigSource.DEFAULT);
      // every declared key is listed, once
      assertThat(e.keySet()).containsExactlyInAnyOrderElementsOf(providers.declaredKeys().keySet());

      assertThat(runtime.config().budget()).isEqualTo(30);
      assertThat(runtime.config().policy("alpha").get(TestPolicyProvider.WINDOW)).isEqualTo(9);
      assertThat(runtime.policyFactory().config().budget()).isEqualTo(30);
      assertThat(runtime.policyFactory().config().properties().get(TestPolicyProvider.WINDOW)).isEqualTo(9);
    }
  }

  @Test
  void environmentOverridesTheFileWhenTheCommandLineIsSilent() throws IOException {
    Path f = file("ra.budget=10\n");
    ConfigLayers layers = new ConfigLayers(Optional.of(f), Map.of("RA_BUDGET", "20", "RA_THREADS", "3"), List.of());
    try (RaRuntime runtime = RaRuntime.create(providers, layers.resolve(providers.declaredKeys()))) {
      assertThat(runtime.config().budget()).isEqualTo(20);
      assertThat(runtime.threads()).isEqualTo(3);
      assertThat(byKey(runtime).get("ra.budget").origin()).isEqualTo("RA_BUDGET");
    }
  }

  @Test
  void anUnknownProviderKeyNamesTheKeyAndTheAllowedOnes() {
    ConfigLayers layers = ConfigLayers.defaultsOnly().withCommandLine(List.of(Setting.parse("ra.policy.alpha.windw=3")));
    assertThatThrownBy(() -> RaRuntime.create(providers, layers.resolve(providers.declaredKeys())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown configuration key 'ra.policy.alpha.windw'; allowed: ra.policy.alpha.window")
        .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void anUnknownGlobalKeyListsTheGlobalKeys() {
    Configuration c = Configuration.of(Map.of("ra.budgt", "3"));
    assertThatThrownBy(() -> RaRuntime.create(providers, c))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown configuration key 'ra.budgt'; allowed: ra.backend, ra.budget, ra.policy, ra.threads");
  }

  @Test
  void aKeyOfAnUnknownProviderNamesTheProvidersThatExist() {
    Configuration c = Configuration.of(Map.of("ra.policy.gamma.window", "3"));
    assertThatThrownBy(() -> RaRuntime.create(providers, c))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown configuration key 'ra.policy.gamma.window': no attention policy named 'gamma'; available: alpha, beta");
  }

  @Test
  void aWrongTypeNamesKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> RaRuntime.create(providers, Configuration.of(Map.of("ra.budget", "lots"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid value 'lots' for ra.budget: expected an integer >= 1");
    assertThatThrownBy(() -> RaRuntime.create(providers, Configuration.of(Map.of("ra.backend.testbackend.dtype", "f64"))))
        .hasMessage("invalid value 'f64' for ra.backend.testbackend.dtype: expected one of f32 | f16");
  }

  @Test
  void anOutOfRangeValueIsRejectedEvenForAPolicyThatIsNotSelected() {
    Configuration c = Configuration.of(Map.of("ra.policy", "beta", "ra.policy.alpha.window", "65"));
    assertThatThrownBy(() -> RaRuntime.create(providers, c))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid value '65' for ra.policy.alpha.window: expected an integer in [1, 64]");
  }

  @Test
  void anEnvironmentVariableWithATypoIsAnError() {
    ConfigLayers layers = new ConfigLayers(Optional.empty(), Map.of("RA_POLICY_ALPHA_WINDW", "3"), List.of());
    assertThatThrownBy(() -> layers.resolve(providers.declaredKeys()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment variable RA_POLICY_ALPHA_WINDW names no known configuration key");
  }

  @Test
  void unrelatedEnvironmentVariablesAreIgnored() {
    ConfigLayers layers = new ConfigLayers(Optional.empty(), Map.of("RA_PLUGIN_PATH", "/x", "RA_JAVA_OPTS", "-Xmx1g", "PATH", "/bin"), List.of());
    assertThat(layers.resolve(providers.declaredKeys()).entries().values()).allMatch(e -> e.source() == ConfigSource.DEFAULT);
  }

  @Test
  void aMalformedSetIsRejected() {
    assertThatThrownBy(() -> Setting.parse("ra.budget"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("malformed --set 'ra.budget'; expected key=value such as ra.policy.recycled.stride=3");
    assertThatThrownBy(() -> Setting.parse("=3")).isInstanceOf(ConfigException.class);
    assertThat(Setting.parse(" ra.budget = 5 ")).isEqualTo(new Setting("ra.budget", "5", "--set"));
    assertThat(Setting.parse("ra.policy.alpha.window=a=b").value()).isEqualTo("a=b");
  }

  @Test
  void aMissingConfigFileIsAnError() {
    ConfigLayers layers = new ConfigLayers(Optional.of(tmp.resolve("missing.properties")), Map.of(), List.of());
    assertThatThrownBy(() -> layers.resolve(providers.declaredKeys()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing.properties' does not exist");
  }
}
